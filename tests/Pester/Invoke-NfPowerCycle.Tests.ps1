#Requires -Version 7.4
# Pester 5. Loopback only: the BMCs here are a TCP listener that must never be contacted (-WhatIf) and ports with
# nothing listening (the run must report each node as a Transport failure without stopping the others). The happy
# path against a DMTF-model Redfish service is covered by tests/NodeFoundry.Engine.Tests/Power (RedfishTestServer).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NodeFoundry.TestHelpers.psm1') -Force
    Import-Module (Get-NfTestModulePath) -Force

    $script:Password = 'Pester-Bmc-S3cret'
    $script:Credential = [pscredential]::new('admin', (ConvertTo-SecureString $Password -AsPlainText -Force))

    function New-PowerFleet {
        <# A fleet file in TestDrive whose nodes' Redfish BMCs are 127.0.0.1 on the given ports; one node has no BMC. #>
        param([Parameter(Mandatory)][int[]] $Ports)
        $nodes = for ($i = 0; $i -lt $Ports.Count; $i++) {
            @"
  - name: gpu$i
    mac: 52:54:00:00:01:0$i
    bmc: { address: 127.0.0.1, protocol: redfish, port: $($Ports[$i]) }
"@
        }
        $path = Join-Path $TestDrive "power-$([guid]::NewGuid().ToString('N')).yaml"
        @"
version: 1
server:
  address: 192.0.2.1
dhcp:
  scopes:
    - name: lab
      subnet: 192.0.2.0/24
      range: { start: 192.0.2.100, end: 192.0.2.149 }
nodes:
$($nodes -join "`n")
  - name: nobmc
    mac: 52:54:00:00:02:01
"@ | Set-Content -Path $path -Encoding utf8NoBOM
        return $path
    }
}

AfterAll {
    Remove-Module NodeFoundry -ErrorAction SilentlyContinue
}

Describe 'Invoke-NfPowerCycle' {
    Context '-WhatIf' {
        BeforeAll {
            # A listener standing in for a BMC: with -WhatIf nothing may connect to it.
            $script:Bmc = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $Bmc.Start()
            $script:Fleet = New-PowerFleet -Ports $Bmc.LocalEndpoint.Port
        }

        AfterAll {
            $Bmc.Stop()
        }

        It 'writes no result and contacts no BMC' {
            $output = Import-NfFleet $Fleet | Where-Object Name -EQ 'gpu0' | Invoke-NfPowerCycle -Credential $Credential -WhatIf
            $output | Should -BeNullOrEmpty
            $Bmc.Pending() | Should -BeFalse
        }

        It 'contacts no BMC given by address either' {
            $output = Invoke-NfPowerCycle -BmcAddress 127.0.0.1 -Protocol Redfish -Port $Bmc.LocalEndpoint.Port -Name lab1 `
                -Credential $Credential -BootDevice UefiHttp -Action Reset -Persistent -WhatIf
            $output | Should -BeNullOrEmpty
            $Bmc.Pending() | Should -BeFalse
        }
    }

    Context 'unreachable BMCs' {
        BeforeAll {
            $script:Closed = @(Get-NfTestFreePort -Tcp; Get-NfTestFreePort -Tcp)
            $script:Fleet = New-PowerFleet -Ports $Closed
            $script:Results = Import-NfFleet $Fleet | Invoke-NfPowerCycle -Credential $Credential -StaggerSeconds 0 -TimeoutSec 30 -Confirm:$false `
                -ErrorAction SilentlyContinue -ErrorVariable failures -WarningAction SilentlyContinue
            $script:Failures = $failures
        }

        It 'writes one PowerCycleResult per node with a BMC, each a Transport failure' {
            $Results | Should -HaveCount 2
            $Results | Should -BeOfType ([NodeFoundry.Power.PowerCycleResult])
            ($Results.NodeName | Sort-Object) | Should -Be @('gpu0', 'gpu1')
            $Results | ForEach-Object {
                $_.Succeeded | Should -BeFalse
                $_.Failure | Should -Be ([NodeFoundry.Power.BmcFailure]::Transport)
                $_.PowerCommandAt | Should -BeNullOrEmpty
            }
        }

        It 'reports the node without a BMC and each failed node as non-terminating errors' {
            $ids = $Failures | ForEach-Object { $_.FullyQualifiedErrorId -replace ',.*$' }
            ($ids | Where-Object { $_ -eq 'NfNodeHasNoBmc' }) | Should -HaveCount 1
            ($ids | Where-Object { $_ -eq 'NfPowerCycleFailed' }) | Should -HaveCount 2
            $Failures | Where-Object { $_.FullyQualifiedErrorId -like 'NfPowerCycleFailed*' } | ForEach-Object {
                $_.CategoryInfo.Category | Should -Be 'ConnectionError'
                $_.TargetObject | Should -BeOfType ([NodeFoundry.Power.PowerCycleResult])
            }
        }

        It 'never shows the password' {
            $text = ($Results | Format-List * | Out-String) + ($Failures | Out-String) + ($Results | ConvertTo-Json -Depth 4)
            $text | Should -Not -Match ([regex]::Escape($Password))
        }
    }

    Context 'tab completion' {
        It 'completes -Name from the fleets this session used' {
            $null = Import-NfFleet (New-PowerFleet -Ports 9, 10)
            $line = 'Invoke-NfPowerCycle -BmcAddress 127.0.0.1 -Credential $Credential -Name gpu'
            $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $completion.CompletionMatches.CompletionText | Should -Contain 'gpu0'
            $completion.CompletionMatches.CompletionText | Should -Contain 'gpu1'
        }
    }

    Context 'nodes by property name' {
        It 'binds BmcAddress, Protocol, Port and Name from any object' {
            $port = Get-NfTestFreePort -Tcp
            $result = [pscustomobject]@{ Name = 'csv1'; BmcAddress = "http://127.0.0.1:$port"; Protocol = 'redfish' } |
                Invoke-NfPowerCycle -Credential $Credential -Confirm:$false -ErrorAction SilentlyContinue
            $result.NodeName | Should -Be 'csv1'
            $result.Endpoint.UseTls | Should -BeFalse
            $result.Endpoint.Port | Should -Be $port
            $result.Failure | Should -Be ([NodeFoundry.Power.BmcFailure]::Transport)
        }

        It 'reports an IPMI BMC it cannot use as a failed result, within -TimeoutSec' {
            # A closed UDP port is Timeout (no answer) or Transport (ICMP port unreachable surfaced by the socket).
            # Either way a result comes back, well inside -TimeoutSec, instead of a hang or a terminating error.
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $result = Invoke-NfPowerCycle -BmcAddress 127.0.0.1 -Port (Get-NfTestFreePort) -Credential $Credential -TimeoutSec 5 `
                -Confirm:$false -ErrorAction SilentlyContinue
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 30
            $result.Succeeded | Should -BeFalse
            $result.Failure | Should -BeIn @([NodeFoundry.Power.BmcFailure]::Timeout, [NodeFoundry.Power.BmcFailure]::Transport)
        }

        It 'refuses an address that carries credentials, without echoing them' {
            $null = Invoke-NfPowerCycle -BmcAddress 'http://admin:hunter2@127.0.0.1:9' -Protocol Redfish -Credential $Credential -Confirm:$false `
                -ErrorAction SilentlyContinue -ErrorVariable problems
            $problems | Should -HaveCount 1
            $problems[0].FullyQualifiedErrorId | Should -BeLike 'NfInvalidBmcAddress*'
            # The command line itself (InvocationInfo) holds what the caller typed; the cmdlet adds nothing to it.
            $problems[0].Exception.Message | Should -Not -Match 'hunter2'
            $problems[0].TargetObject | Should -BeNullOrEmpty
        }
    }

    Context 'credentials' {
        It 'refuses a node without -Credential or a fleet credential, naming both fixes, and contacts nothing' {
            $result = Invoke-NfPowerCycle -BmcAddress 127.0.0.1 -Port (Get-NfTestFreePort) -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable problems
            $result | Should -BeNullOrEmpty
            $problems[0].FullyQualifiedErrorId | Should -BeLike 'NfBmcCredentialMissing,*'
            "$($problems[0])" | Should -Match '-Credential'
            "$($problems[0])" | Should -Match 'bmc\.credential'
        }

        It 'reads the credential the fleet file names with Get-Secret, and says how to store it when it cannot' {
            $secret = "nf-pester-missing-$([guid]::NewGuid().ToString('N'))"
            $path = Join-Path $TestDrive "cred-$secret.yaml"
            @"
version: 1
server:
  address: 192.0.2.1
dhcp:
  scopes:
    - name: lab
      subnet: 192.0.2.0/24
      range: { start: 192.0.2.100, end: 192.0.2.149 }
nodes:
  - name: vault0
    mac: 52:54:00:00:03:01
    bmc: { address: 127.0.0.1, protocol: redfish, port: $(Get-NfTestFreePort -Tcp), credential: $secret }
"@ | Set-Content -Path $path -Encoding utf8NoBOM
            # Without SecretManagement, Get-Secret is not found; with it, no vault holds this random name: either way
            # the node is refused with the fix, before any BMC is contacted.
            $result = Import-NfFleet $path | Invoke-NfPowerCycle -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable problems
            $result | Should -BeNullOrEmpty
            $problems[0].FullyQualifiedErrorId | Should -BeLike 'NfBmcCredentialMissing,*'
            "$($problems[0])" | Should -Match ([regex]::Escape("Set-Secret -Name $secret"))
        }
    }

    Context '-AsJob' {
        It 'returns a PowerCycleJob whose output is the results' {
            $port = Get-NfTestFreePort -Tcp
            $job = Invoke-NfPowerCycle -BmcAddress "http://127.0.0.1:$port" -Protocol Redfish -Name job1 -Credential $Credential -AsJob -Confirm:$false
            try {
                $job | Should -BeOfType ([NodeFoundry.PowerShell.Jobs.PowerCycleJob])
                Get-Job -Id $job.Id | Should -Not -BeNullOrEmpty
                $result = Receive-Job $job -Wait -ErrorAction SilentlyContinue
                $result.NodeName | Should -Be 'job1'
                $job.State | Should -Be 'Completed'
                $job.Failed | Should -Be 1
            }
            finally {
                Remove-Job $job -Force
            }
        }

        It 'stops with Stop-Job long before the BMC timeout, and goes with Remove-Job' {
            # A BMC that accepts the connection and never answers: without Stop-Job the run would wait -TimeoutSec 120.
            $hung = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $hung.Start()
            $job = $null
            try {
                $job = Invoke-NfPowerCycle -BmcAddress "http://127.0.0.1:$($hung.LocalEndpoint.Port)" -Protocol Redfish -Name hung1 `
                    -Credential $Credential -TimeoutSec 120 -AsJob -Confirm:$false
                Start-Sleep -Milliseconds 500
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                Stop-Job -Job $job
                $watch.Elapsed.TotalSeconds | Should -BeLessThan 35

                # Stopped, or Completed when the node in flight ended as a failed result (the job's documented stop).
                $job.JobStateInfo.State | Should -BeIn @('Stopped', 'Completed')
                $id = $job.Id
                Remove-Job -Job $job
                Get-Job -Id $id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                $job = $null
            }
            finally {
                if ($job) { Remove-Job $job -Force -ErrorAction SilentlyContinue }
                $hung.Stop()
            }
        }
    }
}
