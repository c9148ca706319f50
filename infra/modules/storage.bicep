// Host and state storage: blob (deployment package, audit), queue (graph-changes) and table
// (identities, leases, budget…), reachable with Entra ID only.
// AVM: avm/res/storage/storage-account 0.33.0 supports all of it: allowSharedKeyAccess,
// containers with an immutabilityPolicy (immutabilityPeriodSinceCreationInDays,
// allowProtectedAppendWrites), queues, tables and a resource lock.

@description('Storage account name (3-24 lower-case letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Region of the account.')
param location string

@description('Tags for the account.')
param tags object = {}

@description('Blob container Flex Consumption deploys the app package from.')
param deploymentContainerName string

@description('Days each audit blob stays immutable (AUDIT_RETENTION_DAYS). Appends stay allowed; edits and deletes are refused until then.')
@minValue(1)
@maxValue(146000)
param auditRetentionDays int

@description('Redundancy of the account.')
@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS'])
param skuName string = 'Standard_ZRS'

// Names the app uses (src/state/names.ts); the app also creates them if missing.
var queueNames = ['graph-changes', 'graph-changes-poison']
var tableNames = [
  'identities'
  'events'
  'cursors'
  'subscriptions'
  'leases'
  'budget'
  'held'
  'runs'
  'audit'
  'failures'
  'settings'
  'groupSizes'
]

module account 'br/public:avm/res/storage/storage-account:0.33.0' = {
  name: 'storage-${name}'
  params: {
    name: name
    location: location
    tags: tags
    kind: 'StorageV2'
    skuName: skuName
    // Entra ID only: no account keys, no SAS signed with them.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    blobServices: {
      containerDeleteRetentionPolicyEnabled: true
      containerDeleteRetentionPolicyDays: 7
      deleteRetentionPolicyEnabled: true
      deleteRetentionPolicyDays: 7
      containers: [
        {
          name: deploymentContainerName
          publicAccess: 'None'
        }
        {
          // The audit trail: one append blob per day (DESIGN §4). The policy is created unlocked;
          // docs/operations.md explains locking it, which is irreversible.
          name: 'audit'
          publicAccess: 'None'
          immutabilityPolicy: {
            immutabilityPeriodSinceCreationInDays: auditRetentionDays
            allowProtectedAppendWrites: true
          }
        }
      ]
    }
    queueServices: {
      queues: [for queue in queueNames: { name: queue }]
    }
    tableServices: {
      tables: [for table in tableNames: { name: table }]
    }
    // The state account holds the identity map and the audit trail: deleting it by accident
    // would re-issue usernames and lose evidence.
    lock: {
      kind: 'CanNotDelete'
      name: 'lock-${name}'
      notes: 'Holds the Entra-to-Gogs identity map and the audit trail of entra-gogs-sync.'
    }
  }
}

@description('Name of the storage account.')
output name string = account.outputs.name

@description('Resource id of the storage account.')
output resourceId string = account.outputs.resourceId

@description('Blob service endpoint (with a trailing slash).')
output blobEndpoint string = account.outputs.serviceEndpoints.blob

@description('Queue service endpoint (with a trailing slash).')
output queueEndpoint string = account.outputs.serviceEndpoints.queue

@description('Table service endpoint (with a trailing slash).')
output tableEndpoint string = account.outputs.serviceEndpoints.table
