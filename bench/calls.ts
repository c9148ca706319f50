/** Per-route call counts of the emulators (docs/emulators.md `/_emulator/calls`). */
export interface CallCounts {
  total: number;
  /** Calls that change state (anything but GET and HEAD). */
  writes: number;
  byRoute: Record<string, number>;
}

/** Token endpoints and the emulators' own control routes are not the product's API traffic. */
export function isApiRoute(route: string): boolean {
  return (
    !route.includes('/_emulator') && !/oauth2|\/msi\/|metadata\/identity|well-known|discovery/.test(route)
  );
}

export function countCalls(raw: Readonly<Record<string, number>>): CallCounts {
  const byRoute: Record<string, number> = {};
  let total = 0;
  let writes = 0;
  for (const [route, value] of Object.entries(raw).sort(([a], [b]) => a.localeCompare(b))) {
    if (!isApiRoute(route)) continue;
    byRoute[route] = value;
    total += value;
    if (!/^(GET|HEAD) /.test(route)) writes += value;
  }
  return { total, writes, byRoute };
}

/** Call counting for one emulator: `reset()`, run the work, `read()`. */
export interface CallCounter {
  reset(): Promise<void>;
  read(): Promise<CallCounts>;
}

/** The Gogs emulator, over its plain-http control route. */
export function gogsCounter(gogsUrl: string): CallCounter {
  return {
    reset: async () => {
      await fetch(`${gogsUrl}/_emulator/calls`, { method: 'DELETE' });
    },
    read: async () =>
      countCalls((await (await fetch(`${gogsUrl}/_emulator/calls`)).json()) as Record<string, number>),
  };
}

/** The Graph emulator running in this process: its call map, read directly. */
export function graphCounter(calls: Map<string, number>): CallCounter {
  return {
    reset: async () => calls.clear(),
    read: async () => countCalls(Object.fromEntries(calls)),
  };
}
