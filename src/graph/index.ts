export {
  type DeltaChange,
  type DeltaKind,
  DeltaReader,
  type DeltaRound,
  type DeltaStart,
  type MemberChange,
} from './deltaReader.js';
export { GraphApiError, type GraphErrorDetails } from './graphApiError.js';
export {
  GRAPH_SCOPE,
  GraphClient,
  type GraphClientOptions,
  type GraphPage,
  type RequestOptions,
} from './graphClient.js';
export {
  createGraphCredential,
  type GraphCredentialInput,
  type GraphCredentialSetting,
  needsInstanceDiscoveryOff,
} from './graphCredential.js';
export { GraphDirectory, type ReadUserOptions, USER_SELECT } from './graphDirectory.js';
export type { HttpRequest, HttpResponse, HttpSend } from './httpsSend.js';
export { parseJsonLossless } from './losslessJson.js';
export {
  type ChangeNotification,
  type ChangeType,
  type CheckContext,
  checkItem,
  type ItemCheck,
  type LifecycleEvent,
  type LifecycleNotification,
  type NotificationEnvelope,
  type NotificationParseError,
  type ParseResult,
  parseLifecycleCollection,
  parseNotificationCollection,
} from './notifications.js';
export { DEFAULT_RETRY_POLICY, parseRetryAfter, type RetryPolicy } from './retryPolicy.js';
export {
  type ListedSubscription,
  SUBSCRIBED_RESOURCES,
  SUBSCRIPTION_LIFETIME_MIN,
  SubscriptionManager,
  type SubscriptionOutcome,
  type SubscriptionSettings,
} from './subscriptionManager.js';
export type { OwnSubscription, SubscriptionRegistry } from './subscriptionRegistry.js';
