// Optional VNet integration, for a Gogs that sits inside a corporate network: a virtual network
// with one subnet delegated to Microsoft.App/environments (what Flex Consumption requires), and an
// optional NAT gateway with one static public IP so Gogs' firewall can allow a single egress IP.
// Peering or VPN to the network Gogs lives in is site-specific and left to the operator.
// AVM: avm/res/network/virtual-network 0.10.1 (subnets with delegation and natGatewayResourceId),
// avm/res/network/public-ip-address 0.13.0 and avm/res/network/nat-gateway 2.1.0.

@description('Name of the virtual network.')
param vnetName string

@description('Name of the NAT gateway (and, with a -pip suffix, of its public IP).')
param natGatewayName string

@description('Region of the network resources.')
param location string

@description('Tags for the network resources.')
param tags object = {}

@description('Address space of the virtual network.')
param addressPrefix string = '10.60.0.0/16'

@description('Address range of the function app subnet (at least a /27 is advised for Flex Consumption scale-out).')
param appSubnetPrefix string = '10.60.1.0/24'

@description('Create a NAT gateway with one static public IP for all outbound traffic.')
param natGatewayEnabled bool = false

var appSubnetName = 'functions'

// Non-zonal, like the NAT gateway it is attached to.
module publicIp 'br/public:avm/res/network/public-ip-address:0.13.0' = if (natGatewayEnabled) {
  name: 'pip-${natGatewayName}'
  params: {
    name: '${natGatewayName}-pip'
    location: location
    tags: tags
    skuName: 'Standard'
    skuTier: 'Regional'
    publicIPAllocationMethod: 'Static'
    availabilityZones: []
  }
}

module natGateway 'br/public:avm/res/network/nat-gateway:2.1.0' = if (natGatewayEnabled) {
  name: 'nat-${natGatewayName}'
  params: {
    name: natGatewayName
    location: location
    tags: tags
    availabilityZone: -1
    idleTimeoutInMinutes: 4
    publicIpResourceIds: [publicIp!.outputs.resourceId]
  }
}

module vnet 'br/public:avm/res/network/virtual-network:0.10.1' = {
  name: 'vnet-${vnetName}'
  params: {
    name: vnetName
    location: location
    tags: tags
    addressPrefixes: [addressPrefix]
    subnets: [
      {
        name: appSubnetName
        addressPrefix: appSubnetPrefix
        delegation: 'Microsoft.App/environments'
        natGatewayResourceId: natGatewayEnabled ? natGateway!.outputs.resourceId : null
      }
    ]
  }
}

@description('Resource id of the subnet the function app integrates with.')
output appSubnetResourceId string = '${vnet.outputs.resourceId}/subnets/${appSubnetName}'

@description('The single egress IP address when the NAT gateway is enabled, else empty.')
output egressIpAddress string = natGatewayEnabled ? publicIp!.outputs.ipAddress : ''
