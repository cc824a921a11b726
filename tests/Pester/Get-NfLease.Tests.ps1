#Requires -Version 7.4
# Pester 5. Loopback only (127.0.0.1, high ports); every wait is bounded.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NodeFoundry.TestHelpers.psm1') -Force
    Import-Module (Get-NfTestModulePath) -Force
    $script:Fleet = Join-Path $PSScriptRoot 'fixtures/fleet.yaml'
    $script:Node01 = [pscustomobject]@{ Mac = '52:54:00:00:00:01'; Address = [ipaddress]'127.0.0.11' }
}

AfterAll {
    Remove-Module NodeFoundry -ErrorAction SilentlyContinue
}

Describe 'Get-NfLease' {
    BeforeAll {
        $script:Port = Get-NfTestFreePort
        $script:Journal = Join-Path $TestDrive 'leases.journal'
        $script:Job = Start-NfDhcpServer -FleetFile $Fleet -ListenAddress 127.0.0.1 -Port $Port -JournalPath $Journal

        # DISCOVER, then REQUEST the reserved address from this server (SELECTING state), so a lease is bound.
        Send-NfTestDhcpPacket -Port $Port -Packet (New-NfTestDhcpPacket -MacAddress $Node01.Mac -TransactionId 0x4E460010)
        Send-NfTestDhcpPacket -Port $Port -Packet (New-NfTestDhcpPacket -MacAddress $Node01.Mac -Type Request -TransactionId 0x4E460010 `
                -RequestedAddress $Node01.Address -ServerIdentifier 127.0.0.1)
        $script:Leases = Wait-NfTestCondition { Get-NfLease -Job $Job } -TimeoutSeconds 10
    }

    AfterAll {
        if ($Job) { $Job | Remove-Job -Force -ErrorAction SilentlyContinue }
    }

    Context 'from a running server' {
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
            @{ Filter = 'Address'; Matching = @{ Address = '127.0.0.11' }; Other = @{ Address = '127.0.0.99' } }
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

        It 'throws NfLeaseJournalNotFound for a missing journal' {
            { Get-NfLease -JournalPath (Join-Path $TestDrive 'missing.journal') } |
                Should -Throw -ErrorId 'NfLeaseJournalNotFound,NodeFoundry.PowerShell.Commands.GetNfLeaseCommand'
        }
    }
}
