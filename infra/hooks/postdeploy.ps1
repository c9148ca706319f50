# azd postdeploy hook for Windows (PowerShell 7); the same steps as postdeploy.sh:
#  1. makes sure the function app has the host key `graph-notifications`;
#  2. unless NOTIFICATION_URL came from the deployment, stores
#     https://<app>/api/graph/notifications?code=<that key> in Key Vault (secret notification-url)
#     and points the app setting at that secret version;
#  3. waits until GET /api/status answers;
#  4. calls the app's own POST /api/subscriptions/ensure with the admin (master) key and follows
#     the run it starts until it has succeeded.
# Graph is never called from here: only the app's identity may own the subscriptions.
$ErrorActionPreference = 'Stop'

function Get-Required([string] $Name) {
  $value = [Environment]::GetEnvironmentVariable($Name)
  if ([string]::IsNullOrEmpty($value)) { throw "$Name is not set (run through azd or set the deployment outputs)" }
  return $value
}

$rg = Get-Required 'AZURE_RESOURCE_GROUP'
$app = Get-Required 'AZURE_FUNCTION_APP_NAME'
$vault = Get-Required 'AZURE_KEY_VAULT_NAME'
$base = Get-Required 'AZURE_FUNCTION_URL'
$audience = $env:ADMIN_API_AUDIENCE
$fromParameter = $env:NOTIFICATION_URL_FROM_PARAMETER -eq 'true'
$tries = if ($env:POSTDEPLOY_TRIES) { [int] $env:POSTDEPLOY_TRIES } else { 40 }

function Say([string] $Message) { Write-Host "postdeploy: $Message" }

# Retries a script block every 15 s (role assignments and a fresh host take minutes to settle).
function Invoke-WithRetry([scriptblock] $Action) {
  for ($attempt = 1; ; $attempt++) {
    try {
      $global:LASTEXITCODE = 0
      $result = & $Action
      if ($LASTEXITCODE -ne 0) { throw "exit code $LASTEXITCODE" }
      return $result
    } catch {
      if ($attempt -ge $tries) { throw }
      Start-Sleep -Seconds $(if ($env:POSTDEPLOY_SLEEP) { [int] $env:POSTDEPLOY_SLEEP } else { 15 })
    }
  }
}

function Get-HostKey {
  $keys = az functionapp keys list --resource-group $rg --name $app --output json 2>$null
  if ($LASTEXITCODE -ne 0) { throw 'az functionapp keys list failed' }
  $functionKeys = (($keys -join [Environment]::NewLine) | ConvertFrom-Json).functionKeys
  if ($null -eq $functionKeys) { return $null }
  $entry = $functionKeys.PSObject.Properties['graph-notifications']
  if ($null -eq $entry) { return $null }
  return $entry.Value
}

# 1. The webhook key: a host key, so the lifecycle URL derived from NOTIFICATION_URL works too.
$key = Invoke-WithRetry { Get-HostKey }
if ([string]::IsNullOrEmpty($key)) {
  Say 'creating the host key graph-notifications'
  # Hex only: the key goes into a URL query string unencoded.
  $bytes = [byte[]]::new(32)
  [System.Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
  $newKey = -join ($bytes | ForEach-Object { $_.ToString('x2') })
  Invoke-WithRetry {
    az functionapp keys set --resource-group $rg --name $app --key-type functionKeys `
      --key-name graph-notifications --key-value $newKey --output none
  } | Out-Null
  $key = Invoke-WithRetry { Get-HostKey }
}

# 2. NOTIFICATION_URL in Key Vault.
if (-not $fromParameter) {
  $url = "$base/api/graph/notifications?code=$key"
  $current = az keyvault secret show --vault-name $vault --name notification-url --query value --output tsv 2>$null
  if ($current -ne $url) {
    Say "storing NOTIFICATION_URL in Key Vault $vault"
    Invoke-WithRetry {
      az keyvault secret set --vault-name $vault --name notification-url --value $url --output none
    } | Out-Null
    $secretId = az keyvault secret show --vault-name $vault --name notification-url --query id --output tsv
    # A changed reference makes App Service read the secret now rather than within 24 hours.
    az functionapp config appsettings set --resource-group $rg --name $app `
      --settings "NOTIFICATION_URL=@Microsoft.KeyVault(SecretUri=$secretId)" --output none
    if ($LASTEXITCODE -ne 0) { throw 'could not update the NOTIFICATION_URL app setting' }
  }
}

# 3. Admin credentials: the master key, plus an Entra token when ADMIN_API_AUDIENCE is set.
$master = az functionapp keys list --resource-group $rg --name $app --query masterKey --output tsv
$headers = @{ 'x-functions-key' = $master }
if (-not [string]::IsNullOrEmpty($audience)) {
  $token = az account get-access-token --resource $audience --query accessToken --output tsv
  $headers['Authorization'] = "Bearer $token"
}

Say "waiting for $base/api/status"
Invoke-WithRetry { Invoke-RestMethod -Method Get -Uri "$base/api/status" -Headers $headers } | Out-Null

# 4. Subscriptions: ensure answers 202 {runId}; the worker does the work, so follow the run.
function Stop-WithGrantHint {
  if ($env:GRAPH_PERMISSIONS_GRANTED -ne 'true') {
    Say 'Graph permissions may be missing. An Entra Privileged Role Administrator can grant them with:'
    Write-Host $env:GRAPH_GRANT_SCRIPT_POWERSHELL
    Say 'then run this hook again: azd hooks run postdeploy'
  }
  exit 1
}

Say 'POST /api/subscriptions/ensure'
try {
  $answer = Invoke-RestMethod -Method Post -Uri "$base/api/subscriptions/ensure" -Headers $headers
} catch {
  Write-Host $_
  Stop-WithGrantHint
}
$runId = $answer.runId
if ([string]::IsNullOrEmpty($runId)) { throw "no runId in the answer: $($answer | ConvertTo-Json -Compress)" }
Say "run $runId queued; waiting for it"
$pause = if ($env:POSTDEPLOY_SLEEP) { [int] $env:POSTDEPLOY_SLEEP } else { 15 }
for ($attempt = 1; ; $attempt++) {
  $run = $null
  try { $run = Invoke-RestMethod -Method Get -Uri "$base/api/runs/$runId" -Headers $headers } catch { }
  $status = if ($run) { $run.status } else { '' }
  if ($status -eq 'succeeded') { break }
  if ($status -eq 'failed' -or $status -eq 'partial') {
    $run | ConvertTo-Json -Depth 10 | Write-Host
    Stop-WithGrantHint
  }
  if ($attempt -ge $tries) {
    Say "run $runId is still $status; follow it with GET /api/runs/$runId"
    exit 1
  }
  Start-Sleep -Seconds $pause
}
Say "subscriptions ensured (run $runId)"
