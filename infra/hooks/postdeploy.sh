#!/bin/sh
# azd postdeploy hook (also runnable by hand after `az deployment sub create` and a code deploy):
#  1. makes sure the function app has the host key `graph-notifications`;
#  2. unless NOTIFICATION_URL came from the deployment, stores
#     https://<app>/api/graph/notifications?code=<that key> in Key Vault (secret notification-url)
#     and points the app setting at that secret version;
#  3. waits until GET /api/status answers;
#  4. calls the app's own POST /api/subscriptions/ensure with the admin (master) key and follows
#     the run it starts until it has succeeded.
# Graph is never called from here: only the app's identity may own the subscriptions.
# Needs: az (logged in), curl, node. Reads the azd environment (outputs of infra/main.bicep).
set -eu

rg="${AZURE_RESOURCE_GROUP:?AZURE_RESOURCE_GROUP is not set (run through azd or export the deployment outputs)}"
app="${AZURE_FUNCTION_APP_NAME:?AZURE_FUNCTION_APP_NAME is not set}"
vault="${AZURE_KEY_VAULT_NAME:?AZURE_KEY_VAULT_NAME is not set}"
base="${AZURE_FUNCTION_URL:?AZURE_FUNCTION_URL is not set}"
audience="${ADMIN_API_AUDIENCE:-}"
# azd writes booleans as true/false, `az -o tsv` as True/False.
lower() { printf '%s' "$1" | tr '[:upper:]' '[:lower:]'; }
from_parameter="$(lower "${NOTIFICATION_URL_FROM_PARAMETER:-false}")"
granted="$(lower "${GRAPH_PERMISSIONS_GRANTED:-false}")"
tries="${POSTDEPLOY_TRIES:-40}"

say() { printf 'postdeploy: %s\n' "$*" >&2; }

# Retries a command every 15 s (role assignments and a fresh host take minutes to settle).
retry() {
  attempt=1
  until "$@"; do
    if [ "$attempt" -ge "$tries" ]; then return 1; fi
    attempt=$((attempt + 1))
    sleep "${POSTDEPLOY_SLEEP:-15}"
  done
}

host_key() {
  az functionapp keys list --resource-group "$rg" --name "$app" \
    --query 'functionKeys."graph-notifications"' --output tsv 2>/dev/null
}

# 1. The webhook key: a host key, so the lifecycle URL derived from NOTIFICATION_URL works too.
key="$(retry host_key || true)"
if [ -z "$key" ]; then
  say "creating the host key graph-notifications"
  # Hex only: the key goes into a URL query string unencoded.
  new_key="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
  retry az functionapp keys set --resource-group "$rg" --name "$app" --key-type functionKeys \
    --key-name graph-notifications --key-value "$new_key" --output none
  key="$(retry host_key)"
fi

# 2. NOTIFICATION_URL in Key Vault.
if [ "$from_parameter" != "true" ]; then
  url="$base/api/graph/notifications?code=$key"
  current="$(az keyvault secret show --vault-name "$vault" --name notification-url --query value --output tsv 2>/dev/null || true)"
  if [ "$current" != "$url" ]; then
    say "storing NOTIFICATION_URL in Key Vault $vault"
    retry az keyvault secret set --vault-name "$vault" --name notification-url --value "$url" --output none
    secret_id="$(az keyvault secret show --vault-name "$vault" --name notification-url --query id --output tsv)"
    # A changed reference makes App Service read the secret now rather than within 24 hours.
    az functionapp config appsettings set --resource-group "$rg" --name "$app" \
      --settings "NOTIFICATION_URL=@Microsoft.KeyVault(SecretUri=$secret_id)" --output none
  fi
fi

# 3. Admin credentials: the master key, plus an Entra token when ADMIN_API_AUDIENCE is set.
master="$(az functionapp keys list --resource-group "$rg" --name "$app" --query masterKey --output tsv)"
bearer=""
if [ -n "$audience" ]; then
  bearer="$(az account get-access-token --resource "$audience" --query accessToken --output tsv)"
fi

call() { # method path -> prints the body; fails on a non-2xx status
  body_file="$(mktemp)"
  if [ -n "$bearer" ]; then
    status="$(curl -sS -o "$body_file" -w '%{http_code}' -X "$1" -H "x-functions-key: $master" \
      -H "Authorization: Bearer $bearer" -H 'Content-Length: 0' "$base$2" || echo 000)"
  else
    status="$(curl -sS -o "$body_file" -w '%{http_code}' -X "$1" -H "x-functions-key: $master" \
      -H 'Content-Length: 0' "$base$2" || echo 000)"
  fi
  cat "$body_file"
  rm -f "$body_file"
  case "$status" in 2??) return 0 ;; *) say "$1 $2 answered $status"; return 1 ;; esac
}

say "waiting for $base/api/status"
if ! retry call GET /api/status >/dev/null; then
  say "the app did not answer; check its log stream and docs/operations.md"
  exit 1
fi

# 4. Subscriptions: ensure answers 202 {runId}; the worker does the work, so follow the run.
json_field() { # name: prints that top-level field of the JSON on stdin (empty when absent)
  node -e 'let s="";process.stdin.on("data",(d)=>{s+=d}).on("end",()=>{let v;try{v=JSON.parse(s)[process.argv[1]]}catch{}process.stdout.write(v==null?"":String(v))})' "$1"
}
explain_and_exit() {
  if [ "$granted" != "true" ]; then
    say "Graph permissions may be missing. An Entra Privileged Role Administrator can grant them with:"
    printf '%s\n' "${GRAPH_GRANT_SCRIPT_AZ_CLI:-}" >&2
    say "then run this hook again: azd hooks run postdeploy"
  fi
  exit 1
}

say "POST /api/subscriptions/ensure"
if ! answer="$(call POST /api/subscriptions/ensure)"; then
  printf '%s\n' "$answer" >&2
  explain_and_exit
fi
run_id="$(printf '%s' "$answer" | json_field runId)"
[ -n "$run_id" ] || { say "no runId in the answer: $answer"; exit 1; }
say "run $run_id queued; waiting for it"
attempt=1
while :; do
  run="$(call GET "/api/runs/$run_id" || true)"
  run_status="$(printf '%s' "$run" | json_field status)"
  case "$run_status" in
    succeeded) break ;;
    failed | partial)
      printf '%s\n' "$run" >&2
      explain_and_exit
      ;;
  esac
  if [ "$attempt" -ge "$tries" ]; then
    say "run $run_id is still ${run_status:-unknown}; follow it with GET /api/runs/$run_id"
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep "${POSTDEPLOY_SLEEP:-15}"
done
say "subscriptions ensured (run $run_id)"
