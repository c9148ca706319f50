// Log Analytics and workspace-based Application Insights that accepts Entra-authenticated
// telemetry only (local auth off): the app sends with its managed identity, which needs the
// Monitoring Metrics Publisher role (granted in roleAssignments.bicep).
// AVM: avm/res/operational-insights/workspace 0.16.1 and avm/res/insights/component 0.8.0
// (disableLocalAuth, workspaceResourceId, retentionInDays).

@description('Name of the Log Analytics workspace.')
param workspaceName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Region of both resources.')
param location string

@description('Tags for both resources.')
param tags object = {}

@description('Days logs and telemetry are kept. The audit trail lives in storage, not here.')
@allowed([30, 60, 90, 120, 180, 270, 365, 550, 730])
param retentionInDays int = 90

module workspace 'br/public:avm/res/operational-insights/workspace:0.16.1' = {
  name: 'workspace-${workspaceName}'
  params: {
    name: workspaceName
    location: location
    tags: tags
    skuName: 'PerGB2018'
    dataRetention: retentionInDays
  }
}

module applicationInsights 'br/public:avm/res/insights/component:0.8.0' = {
  name: 'appinsights-${applicationInsightsName}'
  params: {
    name: applicationInsightsName
    location: location
    tags: tags
    applicationType: 'web'
    kind: 'web'
    workspaceResourceId: workspace.outputs.resourceId
    disableLocalAuth: true
    retentionInDays: retentionInDays
  }
}

@description('Resource id of the Log Analytics workspace.')
output workspaceResourceId string = workspace.outputs.resourceId

@description('Resource id of Application Insights (the scope of the alert rules).')
output applicationInsightsResourceId string = applicationInsights.outputs.resourceId

@description('Name of Application Insights.')
output applicationInsightsName string = applicationInsights.outputs.name

@description('Connection string of Application Insights (not a secret: ingestion needs an Entra token).')
output connectionString string = applicationInsights.outputs.connectionString
