// Log search alerts over Application Insights. All but the function-failure rule read the
// structured log events the app emits: one trace per event whose message is the event name, one
// space, then a compact JSON object (docs/operations.md, "Alerts and the events behind them",
// lists every event and field; change both together).
// AVM: avm/res/insights/scheduled-query-rule 0.6.0, one module instance per rule.

@description('Prefix of the alert rule names.')
param namePrefix string

@description('Region of the alert rules.')
param location string

@description('Tags for the alert rules.')
param tags object = {}

@description('Resource id of Application Insights, the scope every query runs against.')
param applicationInsightsResourceId string

@description('Resource id of an existing action group to notify; empty creates the rules without notifications.')
param actionGroupResourceId string = ''

@description('Failed function invocations per function in 15 minutes that raise an alert.')
@minValue(1)
param functionFailureThreshold int = 3

// Parses the app's events: `events("sync.x")` yields the traces of event sync.x with its JSON in d.
var eventsFunction = 'let events = (name: string) { traces | where message startswith strcat(name, " ") | extend d = parse_json(substring(message, strlen(name) + 1)) };\n'

var rules = [
  {
    key: 'poison-queue'
    displayName: 'Poison messages waiting'
    description: 'The graph-changes-poison queue holds messages: changes that failed past RETRY_HORIZON or crashed the worker. Runbook: docs/operations.md, "Poison messages".'
    severity: 1
    windowSize: 'PT30M'
    evaluationFrequency: 'PT10M'
    queryTimeRange: null
    query: '${eventsFunction}events("sync.queueDepth") | where tostring(d.queue) == "graph-changes-poison" | summarize arg_max(timestamp, d) | where toint(d.depth) > 0'
  }
  {
    key: 'guard-tripped'
    displayName: 'Deprovision guard tripped'
    description: 'Deprovisioning went past its budget and actions are held for approval. Runbook: docs/operations.md, "Guard tripped".'
    severity: 1
    windowSize: 'PT15M'
    evaluationFrequency: 'PT5M'
    queryTimeRange: null
    query: '${eventsFunction}events("sync.guardTripped")'
  }
  {
    key: 'no-reconcile'
    displayName: 'No successful reconcile in 26 hours'
    description: 'The daily full reconcile has not succeeded for 26 hours (timers on Flex Consumption can stop silently). Runbook: docs/operations.md, "Timers and runs".'
    severity: 2
    windowSize: 'PT1H'
    evaluationFrequency: 'PT1H'
    queryTimeRange: 'P2D'
    query: '${eventsFunction}events("sync.runCompleted") | where timestamp > ago(26h) | where tostring(d.kind) == "reconcile" and tostring(d.outcome) == "succeeded" | summarize runs = count() | where runs == 0'
  }
  {
    key: 'no-catchup'
    displayName: 'No successful catch-up in 30 minutes'
    description: 'The delta catch-up, which bounds the damage of a lost notification, has not succeeded for 30 minutes. Runbook: docs/operations.md, "Timers and runs".'
    severity: 1
    windowSize: 'PT30M'
    evaluationFrequency: 'PT10M'
    queryTimeRange: null
    query: '${eventsFunction}events("sync.runCompleted") | where tostring(d.kind) == "catchUp" and tostring(d.outcome) == "succeeded" | summarize runs = count() | where runs == 0'
  }
  {
    key: 'subscription-expiring'
    displayName: 'Graph subscription missing or expiring within 7 days'
    description: 'A users or groups subscription is missing or expires within 7 days; renewal is failing. Runbook: docs/operations.md, "Subscription trouble".'
    severity: 1
    windowSize: 'PT1H'
    evaluationFrequency: 'PT1H'
    queryTimeRange: 'P1D'
    query: '${eventsFunction}events("sync.subscriptionState") | summarize arg_max(timestamp, d) by resource = tostring(d.resource) | extend expiresAt = todatetime(d.expiresAt) | where isnull(expiresAt) or expiresAt < now() + 7d'
  }
  {
    key: 'clientstate-mismatch'
    displayName: 'Notifications dropped for a clientState mismatch'
    description: 'Notifications arrived with a clientState that matches neither the current nor the previous secret (forgery, or a rotation gone wrong). Runbook: docs/operations.md, "Subscription trouble".'
    severity: 1
    windowSize: 'PT15M'
    evaluationFrequency: 'PT5M'
    queryTimeRange: null
    query: '${eventsFunction}events("sync.notificationDropped") | where tostring(d.reason) == "clientStateMismatch" | summarize dropped = sum(toint(d["count"])) by ours = tobool(d.ours) | where dropped > 0'
  }
  {
    key: 'gogs-unreachable'
    displayName: 'Gogs unreachable for 5 minutes'
    description: 'Every Gogs call has failed for at least 5 minutes; changes are retried and a reconcile follows recovery. Runbook: docs/operations.md, "Gogs unreachable".'
    severity: 1
    windowSize: 'PT10M'
    evaluationFrequency: 'PT5M'
    queryTimeRange: null
    query: '${eventsFunction}events("sync.gogsUnreachable") | where toint(d.failingForSeconds) >= 300'
  }
  {
    key: 'function-failures'
    displayName: 'Function invocations failing'
    description: 'Function invocations failed (handled retries do not count: they complete). Runbook: docs/operations.md, "Function failures".'
    severity: 2
    windowSize: 'PT15M'
    evaluationFrequency: 'PT5M'
    queryTimeRange: null
    query: 'requests | where success == false | summarize failures = count() by operation_Name | where failures >= ${functionFailureThreshold}'
  }
]

module alertRules 'br/public:avm/res/insights/scheduled-query-rule:0.6.0' = [
  for rule in rules: {
    name: 'alert-${namePrefix}-${rule.key}'
    params: {
      name: '${namePrefix}-${rule.key}'
      location: location
      tags: tags
      kind: 'LogAlert'
      alertDisplayName: rule.displayName
      alertDescription: rule.description
      severity: rule.severity
      enabled: true
      autoMitigate: true
      scopes: [applicationInsightsResourceId]
      windowSize: rule.windowSize
      evaluationFrequency: rule.evaluationFrequency
      queryTimeRange: rule.queryTimeRange
      criterias: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroupResourceIds: empty(actionGroupResourceId) ? [] : [actionGroupResourceId]
      }
    }
  }
]

@description('Names of the alert rules.')
output ruleNames array = [for (item, index) in rules: alertRules[index].outputs.name]
