// The one user-assigned managed identity of the app: host storage, the deployment container,
// Application Insights, Key Vault references and Microsoft Graph all use it.
// AVM: avm/res/managed-identity/user-assigned-identity (name, location, tags; outputs ids).

@description('Name of the user-assigned managed identity.')
param name string

@description('Region of the identity.')
param location string

@description('Tags for the identity.')
param tags object = {}

module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.6.0' = {
  name: 'identity-${name}'
  params: {
    name: name
    location: location
    tags: tags
  }
}

@description('Resource id of the identity.')
output resourceId string = identity.outputs.resourceId

@description('Object id of the identity\'s service principal (for role and Graph app-role assignments).')
output principalId string = identity.outputs.principalId

@description('Client id of the identity (AZURE_CLIENT_ID, AzureWebJobsStorage__clientId).')
output clientId string = identity.outputs.clientId

@description('Name of the identity.')
output name string = identity.outputs.name
