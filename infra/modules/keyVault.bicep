// Key Vault in RBAC mode holding the app's secrets. The function app reads them through Key Vault
// references with the user-assigned identity (Key Vault Secrets User, roleAssignments.bicep).
// AVM: avm/res/key-vault/vault 0.14.0 (enableRbacAuthorization, secrets with @secure values,
// outputs each secret's uri and uriWithVersion).
//
// The app settings reference each secret *with its version*: a new value is a new version, the
// reference text changes, and App Service re-reads it at once instead of within 24 h.

@description('Key Vault name (3-24 characters, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Region of the vault.')
param location string

@description('Tags for the vault.')
param tags object = {}

@secure()
@description('GOGS_TOKEN: access token of a Gogs site admin.')
param gogsToken string

@secure()
@description('GRAPH_CLIENT_STATE: the shared secret sent with every Graph subscription.')
param graphClientState string

@secure()
@description('GRAPH_CLIENT_STATE_PREVIOUS: the former clientState during a rotation; empty otherwise (no secret, no app setting).')
param graphClientStatePrevious string = ''

@secure()
@description('NOTIFICATION_URL with its key. Empty leaves the secret to the post-deploy hook, which derives it from the app.')
param notificationUrl string = ''

@description('Purge protection: a deleted vault and its secrets can be recovered but not purged during the retention.')
param enablePurgeProtection bool = true

// Order matters: secretUris below reads the outputs by position.
var baseSecrets = [
  {
    name: 'gogs-token'
    value: gogsToken
  }
  {
    name: 'graph-client-state'
    value: graphClientState
  }
]
var previousSecret = empty(graphClientStatePrevious)
  ? []
  : [
      {
        name: 'graph-client-state-previous'
        value: graphClientStatePrevious
      }
    ]
var notificationSecret = empty(notificationUrl)
  ? []
  : [
      {
        name: 'notification-url'
        value: notificationUrl
      }
    ]

module vault 'br/public:avm/res/key-vault/vault:0.14.0' = {
  name: 'keyvault-${name}'
  params: {
    name: name
    location: location
    tags: tags
    sku: 'standard'
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: enablePurgeProtection
    enableVaultForDeployment: false
    enableVaultForTemplateDeployment: false
    enableVaultForDiskEncryption: false
    publicNetworkAccess: 'Enabled'
    secrets: concat(baseSecrets, previousSecret, notificationSecret)
  }
}

@description('Name of the vault.')
output name string = vault.outputs.name

@description('Resource id of the vault.')
output resourceId string = vault.outputs.resourceId

@description('Vault URI, https://<name>.vault.azure.net/.')
output uri string = vault.outputs.uri

@description('Versioned secret URIs for the Key Vault references: graphClientStatePrevious is empty outside a rotation, notificationUrl versionless when the hook owns that secret.')
output secretUris object = {
  gogsToken: vault.outputs.secrets[0].uriWithVersion
  graphClientState: vault.outputs.secrets[1].uriWithVersion
  graphClientStatePrevious: empty(graphClientStatePrevious) ? '' : vault.outputs.secrets[2].uriWithVersion
  notificationUrl: empty(notificationUrl)
    ? '${vault.outputs.uri}secrets/notification-url'
    : last(vault.outputs.secrets).uriWithVersion
}

@description('True when NOTIFICATION_URL came from the deployment, false when the post-deploy hook derives it.')
output notificationUrlFromParameter bool = !empty(notificationUrl)
