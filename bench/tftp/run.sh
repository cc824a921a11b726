#!/usr/bin/env bash
# TFTP side-by-side benchmark (not a test): NodeFoundry, dnsmasq and tftpd-hpa in test-owned network
# namespaces, storms of ROM-like clients through the seeded impairment relay, lock-step vs windowsize 8.
# Needs root and `.ci/run`'s packages (dnsmasq-base, tftpd-hpa). Writes the "## TFTP" section of
# docs/performance.md. Arguments go to the tool, e.g.: bench/tftp/run.sh --clients 100,500 --loss 0,1
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then echo "bench/tftp needs root (network namespaces)" >&2; exit 1; fi
dotnet build bench/tftp/TftpBench -c Release -nologo -v q
exec dotnet bench/tftp/TftpBench/bin/Release/net10.0/TftpBench.dll "$@"
