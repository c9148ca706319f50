import { describe, expect, it } from 'vitest';
import { gogsMessageOf } from '../../../src/gogs/gogsApiError.js';
import { unescapeHtml } from '../../../src/gogs/html.js';

describe('Gogs bodies', () => {
  it('reads every error shape of spec/gogs-api.md §1.3', () => {
    expect(gogsMessageOf('')).toBe('');
    expect(gogsMessageOf('{"message":"email has been used","url":"x"}')).toBe('email has been used');
    expect(gogsMessageOf('[{"fieldNames":["Email"],"classification":"EmailError","message":"Email"}]')).toBe(
      'Email: EmailError Email',
    );
    expect(gogsMessageOf('{"ok":false,"error":"db down"}')).toBe('db down');
    expect(gogsMessageOf('<!DOCTYPE html><html>prohibit login</html>')).toBe('an HTML page instead of JSON');
  });

  it('unescapes the full names Gogs escapes on output', () => {
    expect(unescapeHtml('Tom &amp; Jerry')).toBe('Tom & Jerry');
    expect(unescapeHtml('O&#39;Brien &#34;Bob&#34; &lt;b&gt;')).toBe('O\'Brien "Bob" <b>');
    expect(unescapeHtml('caf&#xe9; &unknown; &#99999999;')).toBe('café &unknown; &#99999999;');
  });
});
