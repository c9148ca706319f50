// Microsoft Graph application permissions (app roles) for the managed identity's service
// principal: User.Read.All and Group.Read.All, the least that reading users, transitive group
// members, delta and the /users and /groups subscriptions need (spec/graph.md §1).
// Raw Microsoft Graph Bicep extension resources (extension microsoftGraphV1, see
// ../bicepconfig.json): AVM has no module for app-role assignments.
// Deployed only with grantGraphPermissions=true, by someone who holds the Entra role
// Privileged Role Administrator (granting Microsoft Graph app roles requires it).

extension microsoftGraphV1

@description('Object id of the managed identity\'s service principal.')
param principalId string

// Microsoft Graph's well-known application id, and its app-role ids (application permissions).
var microsoftGraphAppId = '00000003-0000-0000-c000-000000000000'
var appRoleIds = {
  userReadAll: 'df021288-bdef-4463-88db-98f22de89214' // User.Read.All
  groupReadAll: '5b567255-7703-4780-807c-7be8301ae99b' // Group.Read.All
}

resource microsoftGraph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: microsoftGraphAppId
}

resource userReadAll 'Microsoft.Graph/appRoleAssignedTo@v1.0' = {
  principalId: principalId
  resourceId: microsoftGraph.id
  appRoleId: appRoleIds.userReadAll
}

resource groupReadAll 'Microsoft.Graph/appRoleAssignedTo@v1.0' = {
  principalId: principalId
  resourceId: microsoftGraph.id
  appRoleId: appRoleIds.groupReadAll
}

@description('The Graph app roles granted.')
output granted array = ['User.Read.All', 'Group.Read.All']
