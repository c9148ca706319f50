// The Flex Consumption plan (FC1) and the function app: Node 22, the package deployed from a blob
// container with the user-assigned identity, always-ready instances for the HTTP group and the
// queue worker, and every app setting of the schema (src/config/settings.ts). A test
// (test/unit/infra/settingsInBicep.test.ts) reads the `name: '…'` entries below.
// AVM: avm/res/web/serverfarm 0.7.0 (skuName FC1 maps to tier FlexConsumption) and
// avm/res/web/site 0.24.0 (functionAppConfig, keyVaultAccessIdentityResourceId, siteConfig with
// appSettings, virtualNetworkSubnetResourceId). siteConfig is passed whole because the module's
// default turns alwaysOn on, which Flex Consumption does not support.

@description('Name of the function app (also its default host name).')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Region of the plan and the app.')
param location string

@description('Tags for the plan and the app.')
param tags object = {}

@description('Resource id of the user-assigned managed identity.')
param identityResourceId string

@description('Client id of the user-assigned managed identity.')
param identityClientId string

@description('Blob service endpoint of the host storage account.')
param blobEndpoint string

@description('Queue service endpoint of the host storage account.')
param queueEndpoint string

@description('Table service endpoint of the host storage account.')
param tableEndpoint string

@description('Blob container holding the deployment package.')
param deploymentContainerName string

@description('Application Insights connection string.')
param applicationInsightsConnectionString string

@description('Key Vault secret URIs: gogsToken, graphClientState, graphClientStatePrevious (empty outside a rotation), notificationUrl.')
param secretUris object

@description('Non-secret app settings keyed by their environment name (built in main.bicep).')
param settings object

@description('Memory of each instance, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Upper bound on instances. Keep it low: a small Gogs cannot take unbounded concurrency.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 10

@description('Always-ready instances of the HTTP group (webhook, lifecycle, admin API). 0 lets it scale to zero (cold starts).')
@minValue(0)
param alwaysReadyHttp int = 1

@description('Always-ready instances of the applyChanges queue worker. 0 adds a cold start to the first change after idle.')
@minValue(0)
param alwaysReadyApplyChanges int = 1

@description('Subnet (delegated to Microsoft.App/environments) for VNet integration; empty for none.')
param subnetResourceId string = ''

var alwaysReady = filter(
  [
    {
      name: 'http'
      instanceCount: alwaysReadyHttp
    }
    {
      name: 'function:applyChanges'
      instanceCount: alwaysReadyApplyChanges
    }
  ],
  entry => entry.instanceCount > 0
)

var appSettings = [
  // Host storage in the identity form: no connection string, no account key.
  {
    name: 'AzureWebJobsStorage__blobServiceUri'
    value: blobEndpoint
  }
  {
    name: 'AzureWebJobsStorage__queueServiceUri'
    value: queueEndpoint
  }
  {
    name: 'AzureWebJobsStorage__tableServiceUri'
    value: tableEndpoint
  }
  {
    name: 'AzureWebJobsStorage__credential'
    value: 'managedidentity'
  }
  {
    name: 'AzureWebJobsStorage__clientId'
    value: identityClientId
  }
  // V8's old space at half the instance memory: the Functions host shares the instance, and a
  // 10,000-user reconcile needs about 135 MB of it (docs/performance.md, B3).
  {
    name: 'NODE_OPTIONS'
    value: '--max-old-space-size=${instanceMemoryMB / 2}'
  }
  // Telemetry with Entra auth (the component refuses instrumentation-key-only ingestion).
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: applicationInsightsConnectionString
  }
  {
    name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
    value: 'ClientId=${identityClientId};Authorization=AAD'
  }
  // Graph through the user-assigned identity.
  {
    name: 'AZURE_TENANT_ID'
    value: settings.AZURE_TENANT_ID
  }
  {
    name: 'AZURE_CLIENT_ID'
    value: identityClientId
  }
  {
    name: 'GRAPH_BASE_URL'
    value: settings.GRAPH_BASE_URL
  }
  {
    name: 'GRAPH_AUTHORITY_HOST'
    value: settings.GRAPH_AUTHORITY_HOST
  }
  // Secrets: Key Vault references only.
  {
    name: 'NOTIFICATION_URL'
    value: '@Microsoft.KeyVault(SecretUri=${secretUris.notificationUrl})'
  }
  {
    name: 'GRAPH_CLIENT_STATE'
    value: '@Microsoft.KeyVault(SecretUri=${secretUris.graphClientState})'
  }
  {
    name: 'GOGS_TOKEN'
    value: '@Microsoft.KeyVault(SecretUri=${secretUris.gogsToken})'
  }
  // Gogs.
  {
    name: 'GOGS_URL'
    value: settings.GOGS_URL
  }
  {
    name: 'GOGS_LOGIN_SOURCE_ID'
    value: settings.GOGS_LOGIN_SOURCE_ID
  }
  {
    name: 'GOGS_CONCURRENCY'
    value: settings.GOGS_CONCURRENCY
  }
  {
    name: 'GOGS_CA_CERT'
    value: settings.GOGS_CA_CERT
  }
  // What is synchronised, and how.
  {
    name: 'SYNC_MAPPING'
    value: settings.SYNC_MAPPING
  }
  {
    name: 'USERNAME_ATTRIBUTE'
    value: settings.USERNAME_ATTRIBUTE
  }
  {
    name: 'INCLUDE_GUESTS'
    value: settings.INCLUDE_GUESTS
  }
  {
    name: 'ADOPT_EXISTING'
    value: settings.ADOPT_EXISTING
  }
  {
    name: 'DEPROVISION_MODE'
    value: settings.DEPROVISION_MODE
  }
  {
    name: 'UNMANAGED_TEAMS_ON_OFFBOARD'
    value: settings.UNMANAGED_TEAMS_ON_OFFBOARD
  }
  {
    name: 'MAX_DEPROVISION'
    value: settings.MAX_DEPROVISION
  }
  {
    name: 'MAX_DEPROVISION_PERCENT'
    value: settings.MAX_DEPROVISION_PERCENT
  }
  {
    name: 'DEPROVISION_WINDOW'
    value: settings.DEPROVISION_WINDOW
  }
  {
    name: 'PROTECTED_GOGS_USERS'
    value: settings.PROTECTED_GOGS_USERS
  }
  // Timers (six-field NCRONTAB, UTC) and delays.
  {
    name: 'RECONCILE_SCHEDULE'
    value: settings.RECONCILE_SCHEDULE
  }
  {
    name: 'CATCHUP_SCHEDULE'
    value: settings.CATCHUP_SCHEDULE
  }
  {
    name: 'RENEW_SCHEDULE'
    value: settings.RENEW_SCHEDULE
  }
  {
    name: 'REASSERT_SCHEDULE'
    value: settings.REASSERT_SCHEDULE
  }
  {
    name: 'RECHECK_DELAY'
    value: settings.RECHECK_DELAY
  }
  {
    name: 'RETRY_BASE'
    value: settings.RETRY_BASE
  }
  {
    name: 'RETRY_HORIZON'
    value: settings.RETRY_HORIZON
  }
  {
    name: 'RECONCILE_FRESHNESS'
    value: settings.RECONCILE_FRESHNESS
  }
  // Admin API, audit, safety.
  {
    name: 'ADMIN_API_AUDIENCE'
    value: settings.ADMIN_API_AUDIENCE
  }
  {
    name: 'AUDIT_RETENTION_DAYS'
    value: settings.AUDIT_RETENTION_DAYS
  }
  {
    name: 'DRY_RUN'
    value: settings.DRY_RUN
  }
]

// Only during a clientState rotation (docs/deploy.md): outside one the setting is absent.
var previousClientStateSetting = empty(secretUris.graphClientStatePrevious)
  ? []
  : [
      {
        name: 'GRAPH_CLIENT_STATE_PREVIOUS'
        value: '@Microsoft.KeyVault(SecretUri=${secretUris.graphClientStatePrevious})'
      }
    ]

module plan 'br/public:avm/res/web/serverfarm:0.7.0' = {
  name: 'plan-${planName}'
  params: {
    name: planName
    location: location
    tags: tags
    skuName: 'FC1'
    kind: 'functionapp'
    reserved: true
    zoneRedundant: false
  }
}

module site 'br/public:avm/res/web/site:0.24.0' = {
  name: 'site-${name}'
  params: {
    name: name
    location: location
    // azd finds the app to deploy to by this tag.
    tags: union(tags, { 'azd-service-name': 'api' })
    kind: 'functionapp,linux'
    serverFarmResourceId: plan.outputs.resourceId
    httpsOnly: true
    clientAffinityEnabled: false
    managedIdentities: {
      userAssignedResourceIds: [identityResourceId]
    }
    keyVaultAccessIdentityResourceId: identityResourceId
    virtualNetworkSubnetResourceId: empty(subnetResourceId) ? null : subnetResourceId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      runtime: {
        name: 'node'
        version: '22'
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: alwaysReady
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: concat(appSettings, previousClientStateSetting)
    }
  }
}

@description('Name of the function app.')
output name string = site.outputs.name

@description('Resource id of the function app.')
output resourceId string = site.outputs.resourceId

@description('Default host name of the function app.')
output defaultHostname string = site.outputs.defaultHostname
