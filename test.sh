#!/usr/bin/env bash
# The test command (README): every .NET test project, then the Pester suite where pwsh exists.
# Lab tests create network namespaces and run Debian's peers: run as root, after `.ci/run` installed them.
set -uo pipefail
cd "$(dirname "$0")"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet build NodeFoundry.slnx -c Release -nologo -v q 2>&1 | tail -n 30
build=${PIPESTATUS[0]}
if [ "$build" -ne 0 ]; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

status=0
for project in tests/NodeFoundry.Engine.Tests tests/NodeFoundry.Module.Tests tests/NodeFoundry.Lab.Tests tests/NodeFoundry.E2E.Tests; do
  [ -d "$project" ] || continue
  echo "== $project"
  dotnet test "$project" -c Release --no-build -nologo -v q --logger "console;verbosity=minimal" 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done

if command -v pwsh >/dev/null 2>&1; then
  echo "== Pester (tests/Pester)"
  # The module under test is the build output just made (an importable module folder), not a stale out/ package.
  NF_MODULE_PATH="$PWD/src/NodeFoundry.PowerShell/bin/Release/net8.0/NodeFoundry.psd1" pwsh -NoProfile -NonInteractive -Command '
    $ErrorActionPreference = "Stop"
    if (-not (Get-Module -ListAvailable Pester | Where-Object Version -ge "5.5.0")) {
      try { Install-Module Pester -MinimumVersion 5.5.0 -Scope CurrentUser -Force -ErrorAction Stop }
      catch { "Pester suite skipped: Pester 5.5+ is not installed and could not be installed ($($_.Exception.Message))"; exit 0 }
    }
    Import-Module Pester -MinimumVersion 5.5.0
    $c = New-PesterConfiguration
    $c.Run.Path = "tests/Pester"
    $c.Run.PassThru = $true
    $c.Output.Verbosity = "Normal"
    $r = Invoke-Pester -Configuration $c
    "Pester: Failed: $($r.FailedCount), Passed: $($r.PassedCount), Skipped: $($r.SkippedCount)"
    exit [Math]::Min($r.FailedCount, 1)' 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
else
  echo "Pester suite skipped: pwsh (PowerShell 7.4+) is not installed on this machine."
fi

# One closing line over every runner: "N passed, N failed, N skipped".
read -r passed failed skipped < <(grep -oE 'Failed: *[0-9]+, *Passed: *[0-9]+, *Skipped: *[0-9]+' "$log" \
  | awk -F'[:,] *' '{f+=$2; p+=$4; s+=$6} END {print p+0, f+0, s+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
