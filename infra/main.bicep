// entra-gogs-sync on Azure Functions Flex Consumption: one resource group per azd environment,
// one user-assigned identity for everything, no shared keys, secrets in Key Vault.
// Deploy with `azd up` or `az deployment sub create` (docs/deploy.md). Not compiled in CI: the
// Bicep CLI cannot run on the build machines; test/unit/infra checks what a file reader can.

targetScope = 'subscription'

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

@minLength(1)
@maxLength(64)
@description('Name of the environment (azd environment name); seeds every resource name and tags the resource group.')
param environmentName string

@minLength(1)
@description('Region of every resource; it must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group to create or update; empty means rg-<environmentName>.')
param resourceGroupName string = ''

@description('Object id of the user or pipeline that deploys; gets Key Vault Secrets Officer so the post-deploy hook can store NOTIFICATION_URL. Empty to skip (then set notificationUrl yourself).')
param deployerPrincipalId string = ''

// ---------------------------------------------------------------------------------------------
// Secrets (Key Vault only; never app settings in clear)
// ---------------------------------------------------------------------------------------------

@secure()
@description('GOGS_TOKEN: access token of a Gogs site admin. Its owner is never managed.')
param gogsToken string

@secure()
@minLength(1)
@maxLength(128)
@description('GRAPH_CLIENT_STATE: shared secret sent with every Graph subscription (1-128 characters; use letters and digits).')
param graphClientState string

@secure()
@description('GRAPH_CLIENT_STATE_PREVIOUS: the former clientState while subscriptions are recreated during a rotation; empty otherwise.')
param graphClientStatePrevious string = ''

@secure()
@description('NOTIFICATION_URL including its ?code= key, for a custom domain or a front door. Empty: the post-deploy hook derives https://<app>/api/graph/notifications?code=<graph-notifications host key> and stores it in Key Vault.')
param notificationUrl string = ''

// ---------------------------------------------------------------------------------------------
// Sync settings (docs/settings.md describes each; defaults equal the schema's)
// ---------------------------------------------------------------------------------------------

@description('GOGS_URL: Gogs base URL (https), without /api/v1.')
param gogsUrl string

@description('SYNC_MAPPING: {scope, siteAdminGroup?, teams: [{group, org, team, permission?}], usernameOverrides?} as an object (see docs/settings.md).')
param syncMapping object

@description('GOGS_LOGIN_SOURCE_ID: authentication source id given to created accounts (0 = local).')
@minValue(0)
param gogsLoginSourceId int = 0

@description('GOGS_CONCURRENCY: parallel Gogs requests during a reconcile.')
@minValue(1)
@maxValue(64)
param gogsConcurrency int = 4

@description('GOGS_CA_CERT: extra CA certificate(s) in PEM for GOGS_URL (literal \\n allowed); empty for none.')
param gogsCaCert string = ''

@description('USERNAME_ATTRIBUTE: the Entra attribute Gogs usernames are derived from.')
@allowed(['mailNickname', 'userPrincipalName', 'mail'])
param usernameAttribute string = 'mailNickname'

@description('INCLUDE_GUESTS: with scope allUsers, also provision guests.')
param includeGuests bool = false

@description('ADOPT_EXISTING: adopt unmanaged Gogs accounts whose username and email both match.')
@allowed(['off', 'usernameAndEmail'])
param adoptExisting string = 'off'

@description('DEPROVISION_MODE: what a confirmed hard delete in Entra does to the Gogs account.')
@allowed(['suspend', 'delete'])
param deprovisionMode string = 'suspend'

@description('UNMANAGED_TEAMS_ON_OFFBOARD: report or remove a suspended user\'s unmanaged team memberships.')
@allowed(['report', 'remove'])
param unmanagedTeamsOnOffboard string = 'report'

@description('MAX_DEPROVISION: deprovisioning actions allowed per window before the rest are held.')
@minValue(0)
param maxDeprovision int = 25

@description('MAX_DEPROVISION_PERCENT: the same budget as a percentage (0-100) of managed users; the larger applies.')
param maxDeprovisionPercent string = '10'

@description('DEPROVISION_WINDOW: sliding window of the deprovisioning budget (1m to 30d).')
param deprovisionWindow string = '1h'

@description('PROTECTED_GOGS_USERS: comma-separated Gogs usernames never touched.')
param protectedGogsUsers string = ''

@description('RECONCILE_SCHEDULE: full reconcile (six-field NCRONTAB, UTC).')
param reconcileSchedule string = '0 0 3 * * *'

@description('CATCHUP_SCHEDULE: delta catch-up (six-field NCRONTAB, UTC).')
param catchUpSchedule string = '0 */10 * * * *'

@description('RENEW_SCHEDULE: subscription renewal (six-field NCRONTAB, UTC).')
param renewSchedule string = '0 0 */6 * * *'

@description('REASSERT_SCHEDULE: re-assertion of write-only Gogs fields (six-field NCRONTAB, UTC).')
param reassertSchedule string = '0 0 4 * * 0'

@description('RECHECK_DELAY: delay of the re-check after every handled change.')
param recheckDelay string = '60s'

@description('RETRY_BASE: base of the exponential retry delay.')
param retryBase string = '5s'

@description('RETRY_HORIZON: how long a failing message is retried before the poison queue.')
param retryHorizon string = '24h'

@description('RECONCILE_FRESHNESS: reconcile snapshots older than this re-read the user first.')
param reconcileFreshness string = '2m'

@description('ADMIN_API_AUDIENCE: when set, the admin API also requires an Entra bearer token for this audience.')
param adminApiAudience string = ''

@description('AUDIT_RETENTION_DAYS: immutability of each audit blob, in days.')
@minValue(1)
@maxValue(146000)
param auditRetentionDays int = 365

@description('DRY_RUN: plan and audit every change but write nothing to Gogs. Worth a first deployment.')
param dryRun bool = false

@description('GRAPH_BASE_URL: Microsoft Graph endpoint (change only for a national cloud).')
param graphBaseUrl string = 'https://graph.microsoft.com'

@description('GRAPH_AUTHORITY_HOST: Entra token authority (change only for a national cloud).')
param graphAuthorityHost string = 'https://login.microsoftonline.com'

// ---------------------------------------------------------------------------------------------
// Hosting, network, Graph permissions, alerts
// ---------------------------------------------------------------------------------------------

@description('Memory of each Flex Consumption instance, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Upper bound on instances; low because a small Gogs cannot take unbounded concurrency.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 10

@description('Always-ready instances for the HTTP group (webhook answers well inside Graph\'s 3 s). Billed while idle: see docs/deploy.md.')
@minValue(0)
param alwaysReadyHttp int = 1

@description('Always-ready instances for the applyChanges queue worker (no cold start per change). Billed while idle: see docs/deploy.md.')
@minValue(0)
param alwaysReadyApplyChanges int = 1

@description('Integrate the function app with a new virtual network (for a Gogs inside a private network).')
param vnetEnabled bool = false

@description('With vnetEnabled, route all outbound traffic through a NAT gateway with one static public IP.')
param natGatewayEnabled bool = false

@description('Grant Microsoft Graph User.Read.All and Group.Read.All to the managed identity in this deployment. Needs the deployer to be a Privileged Role Administrator; false prints the grant script instead.')
param grantGraphPermissions bool = false

@description('Resource id of an existing action group the alerts notify; empty creates the alerts without notifications.')
param actionGroupResourceId string = ''

@description('Failed invocations of one function in 15 minutes that raise an alert.')
@minValue(1)
param functionFailureThreshold int = 3

@description('Days logs and telemetry are kept in Log Analytics.')
@allowed([30, 60, 90, 120, 180, 270, 365, 550, 730])
param logRetentionDays int = 90

@description('Key Vault purge protection (recommended; a purge-protected vault name stays taken for 90 days after deletion).')
param keyVaultPurgeProtection bool = true

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'entra-gogs-sync'
}
var names = {
  resourceGroup: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  identity: 'id-egs-${resourceToken}'
  storage: 'stegs${resourceToken}'
  keyVault: 'kv-egs-${resourceToken}'
  workspace: 'log-egs-${resourceToken}'
  applicationInsights: 'appi-egs-${resourceToken}'
  plan: 'plan-egs-${resourceToken}'
  functionApp: 'func-egs-${resourceToken}'
  vnet: 'vnet-egs-${resourceToken}'
  natGateway: 'ng-egs-${resourceToken}'
  alerts: 'egs-${resourceToken}'
}
var deploymentContainerName = 'app-package'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    auditRetentionDays: auditRetentionDays
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    workspaceName: names.workspace
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
    retentionInDays: logRetentionDays
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'keyVault'
  scope: rg
  params: {
    name: names.keyVault
    location: location
    tags: tags
    gogsToken: gogsToken
    graphClientState: graphClientState
    graphClientStatePrevious: graphClientStatePrevious
    notificationUrl: notificationUrl
    enablePurgeProtection: keyVaultPurgeProtection
  }
}

module roles 'modules/roleAssignments.bicep' = {
  name: 'roleAssignments'
  scope: rg
  params: {
    identityPrincipalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    deployerPrincipalId: deployerPrincipalId
  }
}

module network 'modules/network.bicep' = if (vnetEnabled) {
  name: 'network'
  scope: rg
  params: {
    vnetName: names.vnet
    natGatewayName: names.natGateway
    location: location
    tags: tags
    natGatewayEnabled: natGatewayEnabled
  }
}

// Non-secret app settings, keyed by their environment names (src/config/settings.ts).
var settings = {
  AZURE_TENANT_ID: tenant().tenantId
  GRAPH_BASE_URL: graphBaseUrl
  GRAPH_AUTHORITY_HOST: graphAuthorityHost
  GOGS_URL: gogsUrl
  GOGS_LOGIN_SOURCE_ID: string(gogsLoginSourceId)
  GOGS_CONCURRENCY: string(gogsConcurrency)
  GOGS_CA_CERT: gogsCaCert
  SYNC_MAPPING: string(syncMapping)
  USERNAME_ATTRIBUTE: usernameAttribute
  INCLUDE_GUESTS: string(includeGuests)
  ADOPT_EXISTING: adoptExisting
  DEPROVISION_MODE: deprovisionMode
  UNMANAGED_TEAMS_ON_OFFBOARD: unmanagedTeamsOnOffboard
  MAX_DEPROVISION: string(maxDeprovision)
  MAX_DEPROVISION_PERCENT: maxDeprovisionPercent
  DEPROVISION_WINDOW: deprovisionWindow
  PROTECTED_GOGS_USERS: protectedGogsUsers
  RECONCILE_SCHEDULE: reconcileSchedule
  CATCHUP_SCHEDULE: catchUpSchedule
  RENEW_SCHEDULE: renewSchedule
  REASSERT_SCHEDULE: reassertSchedule
  RECHECK_DELAY: recheckDelay
  RETRY_BASE: retryBase
  RETRY_HORIZON: retryHorizon
  RECONCILE_FRESHNESS: reconcileFreshness
  ADMIN_API_AUDIENCE: adminApiAudience
  AUDIT_RETENTION_DAYS: string(auditRetentionDays)
  DRY_RUN: string(dryRun)
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  scope: rg
  // The host reaches storage, Key Vault and telemetry with the identity from its first start.
  dependsOn: [roles]
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    identityResourceId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    secretUris: keyVault.outputs.secretUris
    settings: settings
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyHttp: alwaysReadyHttp
    alwaysReadyApplyChanges: alwaysReadyApplyChanges
    subnetResourceId: vnetEnabled ? network!.outputs.appSubnetResourceId : ''
  }
}

module graphPermissions 'modules/graphPermissions.bicep' = if (grantGraphPermissions) {
  name: 'graphPermissions'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    namePrefix: names.alerts
    location: location
    tags: tags
    applicationInsightsResourceId: monitoring.outputs.applicationInsightsResourceId
    actionGroupResourceId: actionGroupResourceId
    functionFailureThreshold: functionFailureThreshold
  }
}

// ---------------------------------------------------------------------------------------------
// The grant script for an Entra admin, when this deployment did not grant Graph permissions.
// App-role ids: User.Read.All df021288-bdef-4463-88db-98f22de89214,
// Group.Read.All 5b567255-7703-4780-807c-7be8301ae99b (Microsoft Graph 00000003-0000-0000-c000-000000000000).
// ---------------------------------------------------------------------------------------------

var grantScriptAzCli = join(
  [
    '# Run as a Privileged Role Administrator (az login --tenant ${tenant().tenantId}):'
    'mi=${identity.outputs.principalId}'
    'graph=$(az ad sp show --id 00000003-0000-0000-c000-000000000000 --query id -o tsv)'
    'for role in df021288-bdef-4463-88db-98f22de89214 5b567255-7703-4780-807c-7be8301ae99b; do'
    '  az rest --method POST --uri "https://graph.microsoft.com/v1.0/servicePrincipals/$mi/appRoleAssignments" --headers "Content-Type=application/json" --body "{\\"principalId\\":\\"$mi\\",\\"resourceId\\":\\"$graph\\",\\"appRoleId\\":\\"$role\\"}"'
    'done'
  ],
  '\n'
)
var grantScriptPowerShell = join(
  [
    '# Run as a Privileged Role Administrator, with the Microsoft.Graph.Applications module:'
    'Connect-MgGraph -TenantId ${tenant().tenantId} -Scopes Application.Read.All,AppRoleAssignment.ReadWrite.All'
    '$mi = \'${identity.outputs.principalId}\''
    '$graph = Get-MgServicePrincipal -Filter "appId eq \'00000003-0000-0000-c000-000000000000\'"'
    'foreach ($role in \'df021288-bdef-4463-88db-98f22de89214\', \'5b567255-7703-4780-807c-7be8301ae99b\') {'
    '  New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $mi -PrincipalId $mi -ResourceId $graph.Id -AppRoleId $role'
    '}'
  ],
  '\n'
)

// ---------------------------------------------------------------------------------------------
// Outputs (azd stores them in the environment; the hooks read them)
// ---------------------------------------------------------------------------------------------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_URL string = 'https://${functionApp.outputs.defaultHostname}'
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output NOTIFICATION_URL_FROM_PARAMETER bool = keyVault.outputs.notificationUrlFromParameter
output ADMIN_API_AUDIENCE string = adminApiAudience
output EGRESS_IP_ADDRESS string = vnetEnabled ? network!.outputs.egressIpAddress : ''
output GRAPH_PERMISSIONS_GRANTED bool = grantGraphPermissions
output GRAPH_GRANT_SCRIPT_AZ_CLI string = grantGraphPermissions ? '' : grantScriptAzCli
output GRAPH_GRANT_SCRIPT_POWERSHELL string = grantGraphPermissions ? '' : grantScriptPowerShell
