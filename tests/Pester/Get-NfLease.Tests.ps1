#Requires -Version 7.4
# Pester 5. Loopback only (127.0.0.1, high ports, no root); every wait is bounded. The client is the engine's
# DhcpProbeClient (relay-style): the server answers it at giaddr 127.0.0.1 on -RelayPort, its port.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NodeFoundry.TestHelpers.psm1') -Force
    Import-Module (Get-NfTestModulePath) -Force
    $script:Fleet = Join-Path $PSScriptRoot 'fixtures/fleet.yaml'
    $script:Node01 = [pscustomobject]@{ Mac = '52:54:00:00:00:01'; Address = [ipaddress]'192.0.2.11' }
}

AfterAll {
    Remove-Module NodeFoundry -ErrorAction SilentlyContinue
}

Describe 'Get-NfLease' {
    BeforeAll {
        $script:Port = Get-NfTestFreePort
        $script:Probe = New-NfTestProbe -ServerPort $Port
        $script:Journal = Join-Path $TestDrive 'leases.journal'
        $script:Job = Start-NfDhcpServer -FleetFile $Fleet -ListenAddress 127.0.0.1 -Port $Port -RelayPort $Probe.LocalEndPoint.Port -JournalPath $Journal

        # DISCOVER, then REQUEST the offered address from server.address (SELECTING state), so a lease is bound.
        $null = Wait-NfTestListening -Job $Job
        $script:Ack = Invoke-NfTestProbe -Probe $Probe -MacAddress $Node01.Mac -CompleteLease
        $script:Leases = Wait-NfTestCondition { Get-NfLease -Job $Job } -TimeoutSeconds 10
    }

    AfterAll {
        if ($Job) { $Job | Remove-Job -Force -ErrorAction SilentlyContinue }
        if ($Probe) { $Probe.Dispose() }
    }

    Context 'from a running server' {
        It 'was acknowledged by the server' {
            $Ack.Acknowledged | Should -BeTrue -Because $Ack.Failure
        }

        It 'returns typed leases' {
            $Leases | Should -Not -BeNullOrEmpty -Because "node01 requested $($Node01.Address) ($(Receive-Job $Job -Keep | Out-String))"
            $Leases | Should -BeOfType ([NodeFoundry.Dhcp.Leases.Lease])
        }

        It 'binds node01 to its reserved address' {
            $lease = $Leases | Where-Object { $_.MacAddress.ToString() -eq '525400000001' }
            $lease.Address | Should -Be $Node01.Address
            $lease.State | Should -Be 'Bound'
        }

        It 'accepts the job from the pipeline' {
            @($Job | Get-NfLease).Count | Should -Be @($Leases).Count
        }

        It 'filters by -<Filter>' -ForEach @(
            @{ Filter = 'MacAddress'; Matching = @{ MacAddress = '52:54:00:00:00:01' }; Other = @{ MacAddress = '52:54:00:ff:ff:ff' } }
            @{ Filter = 'Address'; Matching = @{ Address = '192.0.2.11' }; Other = @{ Address = '192.0.2.99' } }
        ) {
            @(Get-NfLease -Job $Job @Matching).Count | Should -Be 1
            Get-NfLease -Job $Job @Other | Should -BeNullOrEmpty
        }

        It 'binds MacAddress by property name from fleet nodes' {
            $fromFleet = Import-NfFleet $Fleet | Get-NfLease -Job $Job
            @($fromFleet | Where-Object { $_.MacAddress.ToString() -eq '525400000001' }).Count | Should -Be 1
        }

        It 'writes NfJobNotDhcpServer for a job that is not a NodeFoundry DHCP server' {
            $other = Start-Job { 1 }
            try {
                Get-NfLease -Job $other -ErrorAction SilentlyContinue -ErrorVariable problems | Should -BeNullOrEmpty
                $problems[0].FullyQualifiedErrorId | Should -BeLike 'NfJobNotDhcpServer*'
            }
            finally {
                $other | Remove-Job -Force
            }
        }
    }

    Context 'offline, from the journal' {
        BeforeAll {
            Stop-Job -Job $Job
        }

        It 'reads the leases the stopped server persisted' {
            $offline = Get-NfLease -JournalPath $Journal -MacAddress $Node01.Mac
            $offline | Should -BeOfType ([NodeFoundry.Dhcp.Leases.Lease])
            ($offline | Select-Object -Last 1).Address | Should -Be $Node01.Address
        }

        It 'filters the journal by -Address, and finds nothing for a MAC that never leased' {
            (Get-NfLease -JournalPath $Journal -Address 192.0.2.11 | Select-Object -Last 1).MacAddress.ToString() | Should -Be '525400000001'
            Get-NfLease -JournalPath $Journal -MacAddress '52:54:00:00:00:02' | Should -BeNullOrEmpty
        }

        It 'resolves a relative -JournalPath against the PowerShell location, not the process directory' {
            Push-Location -LiteralPath (Split-Path -Parent $Journal)
            try {
                $relative = Get-NfLease -JournalPath (Split-Path -Leaf $Journal) -MacAddress $Node01.Mac
            }
            finally { Pop-Location }
            ($relative | Select-Object -Last 1).Address | Should -Be $Node01.Address
        }

        It 'throws NfLeaseJournalUnreadable for a file that is not a lease journal' {
            $foreign = Join-Path $TestDrive 'foreign.journal'
            Set-Content -LiteralPath $foreign -Value 'this is not a NodeFoundry lease journal'
            { Get-NfLease -JournalPath $foreign } |
                Should -Throw -ErrorId 'NfLeaseJournalUnreadable,NodeFoundry.PowerShell.Commands.GetNfLeaseCommand'
        }

        It 'refuses -Job and -JournalPath together (two parameter sets)' {
            { Get-NfLease -Job $Job -JournalPath $Journal } |
                Should -Throw -ErrorId 'AmbiguousParameterSet,NodeFoundry.PowerShell.Commands.GetNfLeaseCommand'
        }

        It 'throws NfLeaseJournalNotFound for a missing journal' {
            { Get-NfLease -JournalPath (Join-Path $TestDrive 'missing.journal') } |
                Should -Throw -ErrorId 'NfLeaseJournalNotFound,NodeFoundry.PowerShell.Commands.GetNfLeaseCommand'
        }
    }
}
