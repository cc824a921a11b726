#Requires -Version 7.4
# Pester 5. Loopback only (127.0.0.1, high ports, no root); every wait is bounded. The DHCP client is the engine's
# DhcpProbeClient (relay-style): the stack answers it at giaddr 127.0.0.1 on -RelayPort, its port, as in
# Start-NfDhcpServer.Tests.ps1. The fixture fleet is copied to $TestDrive first: the stack creates its TFTP root and
# state folder beside the fleet file. BootStackPesterAssumptionTests (tests/NodeFoundry.Module.Tests) checks the
# same setup without PowerShell.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NodeFoundry.TestHelpers.psm1') -Force
    Import-Module (Get-NfTestModulePath) -Force
    $script:Fleet = Join-Path $TestDrive 'fleet.yaml'
    Copy-Item -LiteralPath (Join-Path $PSScriptRoot 'fixtures/fleet.yaml') -Destination $Fleet
}

AfterAll {
    Get-Job | Where-Object PSJobTypeName -EQ 'NodeFoundryJob' | Remove-Job -Force
    Remove-Module NodeFoundry -ErrorAction SilentlyContinue
}

Describe 'Start-NfBootStack as a job' {
    BeforeAll {
        $script:DhcpPort, $script:TftpPort = Get-NfTestFreePort -Count 2   # both UDP: distinct for sure
        $script:HttpPort = Get-NfTestFreePort -Tcp
        $script:Probe = New-NfTestProbe -ServerPort $DhcpPort
        $script:Job = Start-NfBootStack -FleetFile $Fleet -ListenAddress 127.0.0.1 -DhcpPort $DhcpPort -TftpPort $TftpPort `
            -HttpPort $HttpPort -RelayPort $Probe.LocalEndPoint.Port -JournalPath (Join-Path $TestDrive 'leases.journal') `
            -Name "nf-pester-stack-$DhcpPort" -WarningAction SilentlyContinue
    }

    AfterAll {
        if ($Job) { $Job | Remove-Job -Force -ErrorAction SilentlyContinue }
        if ($Probe) { $Probe.Dispose() }
    }

    It 'returns ONE job running a BootStack of DHCP, TFTP and HTTP, listening on 127.0.0.1' {
        @($Job).Count | Should -Be 1
        $Job | Should -BeOfType ([NodeFoundry.PowerShell.Jobs.BootServiceJob])
        $Job.Service | Should -BeOfType ([NodeFoundry.Hosting.BootStack])
        $Job.Name | Should -Be "nf-pester-stack-$DhcpPort"
        $Job.Location | Should -Be "stack: dhcp@127.0.0.1:$DhcpPort, tftp@127.0.0.1:$TftpPort, http@127.0.0.1:$HttpPort"
        Wait-NfTestListening -Job $Job | Should -BeTrue -Because "the stack should have bound its ports ($($Job.Error | Out-String))"
        $Job.JobStateInfo.State | Should -Be 'Running'
    }

    It 'leases node01 to a relay-style probe, and Wait-NfNode sees it reach Bound' {
        $lease = Invoke-NfTestProbe -Probe $Probe -MacAddress '52:54:00:00:00:01' -CompleteLease
        $lease.Acknowledged | Should -BeTrue -Because $lease.Failure

        $node = $Job | Wait-NfNode -Stage Bound -Name node01 -TimeoutSec 10
        $node | Should -BeOfType ([NodeFoundry.Timeline.NodeBootTimeline])
        $node.NodeName | Should -Be 'node01'
        $node.MacAddress.ToString() | Should -Be '525400000001'
        $node.Stage | Should -Be 'Bound'
        $node.Reached.Keys | Should -Contain ([NodeFoundry.Timeline.BootStage]::Offered)
    }

    It 'counts nodes with -Count, and Get-NfBootTimeline lists the same node' {
        $counted = @(Wait-NfNode -Job $Job -Stage Bound -Count 1 -TimeoutSec 10)
        $counted.Count | Should -Be 1

        $timeline = @(Get-NfBootTimeline -Job $Job -MacAddress '52:54:00:00:00:01')
        $timeline.Count | Should -Be 1
        $timeline[0].NodeName | Should -Be 'node01'
        @(Get-NfBootTimeline -Job $Job -Name 'node0*').NodeName | Should -Be @('node01')
    }

    It 'streams every event type through the one job: the LeaseEvent and the BootStageEvent' {
        $stage = Wait-NfTestCondition {
            Receive-Job -Job $Job -Keep | Where-Object { $_ -is [NodeFoundry.Timeline.BootStageEvent] -and $_.Stage -eq 'Bound' }
        } -TimeoutSeconds 10
        $stage | Should -Not -BeNullOrEmpty
        @($stage).NodeName | Should -Contain 'node01'
        $all = @(Receive-Job -Job $Job)
        $all | Where-Object { $_ -is [NodeFoundry.Dhcp.LeaseEvent] } | Should -Not -BeNullOrEmpty
    }

    It 'serves Get-NfLease from the stack job' {
        $lease = Get-NfLease -Job $Job -MacAddress '52:54:00:00:00:01'
        $lease.Address | Should -Be ([ipaddress]'192.0.2.11')
    }

    It 'times out with NfNodeWaitTimeout naming the missing node and its partial timeline' {
        $out = @(Wait-NfNode -Job $Job -Stage Installed -Name node01, node02 -TimeoutSec 1 -ErrorVariable late -ErrorAction SilentlyContinue)

        $out.Count | Should -Be 0
        $late.Count | Should -Be 1
        $late[0].FullyQualifiedErrorId | Should -BeLike 'NfNodeWaitTimeout,*'
        $late[0].Exception.Message | Should -BeLike '*node01*Bound*'
        $late[0].Exception.Message | Should -BeLike '*node02*None*'
        @($late[0].TargetObject).NodeName | Should -Contain 'node01'
    }

    It 'refuses a job that is not a boot stack with NfJobNotBootStack' {
        $other = Start-Job { 1 }
        try {
            Wait-NfNode -Job $other -Count 1 -TimeoutSec 1 -ErrorVariable wrong -ErrorAction SilentlyContinue
            $wrong[0].FullyQualifiedErrorId | Should -BeLike 'NfJobNotBootStack,*'
        }
        finally { $other | Remove-Job -Force }
    }

    It 'stops all three engines with Stop-Job' {
        $Job | Stop-Job
        $Job.JobStateInfo.State | Should -Be 'Stopped'
        Test-NfTestPortFree -Port $DhcpPort | Should -BeTrue
        Test-NfTestPortFree -Port $TftpPort | Should -BeTrue
        Test-NfTestPortFree -Port $HttpPort -Tcp | Should -BeTrue
    }
}

Describe 'Start-NfBootStack all or nothing' {
    It 'fails the one job when a port is taken, naming the engine, and leaves no port bound' {
        $taken = New-NfTestSocket -Tcp
        try {
            $taken.Bind([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
            $taken.Listen(1)
            $dhcpPort, $tftpPort = Get-NfTestFreePort -Count 2
            $job = Start-NfBootStack -FleetFile $Fleet -ListenAddress 127.0.0.1 -DhcpPort $dhcpPort -TftpPort $tftpPort `
                -HttpPort $taken.LocalEndPoint.Port -JournalPath (Join-Path $TestDrive 'taken.journal') -WarningAction SilentlyContinue
            Wait-NfTestCondition { $job.JobStateInfo.State -eq 'Failed' } -TimeoutSeconds 10 | Should -BeTrue
            $job.Error[0].FullyQualifiedErrorId | Should -BeLike 'NfBootServiceAddressInUse*'
            $job.Error[0].Exception.Message | Should -BeLike 'http@127.0.0.1:*failed*'
            Test-NfTestPortFree -Port $dhcpPort | Should -BeTrue
        }
        finally {
            if ($job) { $job | Remove-Job -Force }
            $taken.Dispose()
        }
    }

    It 'binds nothing with -WhatIf' {
        Start-NfBootStack -FleetFile $Fleet -ListenAddress 127.0.0.1 -DhcpPort (Get-NfTestFreePort) -WhatIf | Should -BeNullOrEmpty
        Get-Job | Where-Object { $_.PSJobTypeName -eq 'NodeFoundryJob' -and $_.Location -like 'stack:*' -and $_.JobStateInfo.State -eq 'Running' } |
            Should -BeNullOrEmpty
    }
}
