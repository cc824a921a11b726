#Requires -Version 7.4
# Pester 5. Loopback only (127.0.0.1, high ports, no root); every wait is bounded. The client is the engine's
# DhcpProbeClient (relay-style): the server answers it at giaddr 127.0.0.1 on -RelayPort, its port.
# What every Start-Nf*Server shares (the job, Get-Job/Stop-Job/Remove-Job, fleet errors, bind failures, -WhatIf,
# pipeline input) is in BootServiceJob.Tests.ps1.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NodeFoundry.TestHelpers.psm1') -Force
    Import-Module (Get-NfTestModulePath) -Force
    $script:Fleet = Join-Path $PSScriptRoot 'fixtures/fleet.yaml'
}

AfterAll {
    Get-Job | Where-Object PSJobTypeName -EQ 'NodeFoundryJob' | Remove-Job -Force
    Remove-Module NodeFoundry -ErrorAction SilentlyContinue
}

Describe 'Start-NfDhcpServer as a job' {
    BeforeAll {
        $script:Port = Get-NfTestFreePort
        $script:Probe = New-NfTestProbe -ServerPort $Port
        $script:Journal = Join-Path $TestDrive 'leases.journal'
        $script:Job = Start-NfDhcpServer -FleetFile $Fleet -ListenAddress 127.0.0.1 -Port $Port -RelayPort $Probe.LocalEndPoint.Port `
            -JournalPath $Journal -Name "nf-pester-$Port"
    }

    AfterAll {
        if ($Job) { $Job | Remove-Job -Force -ErrorAction SilentlyContinue }
        if ($Probe) { $Probe.Dispose() }
    }

    It 'runs a DhcpServer, listening on 127.0.0.1' {
        $Job.Service | Should -BeOfType ([NodeFoundry.Dhcp.DhcpServer])
        $Job.Location | Should -Be "dhcp@127.0.0.1:$Port"
        Wait-NfTestListening -Job $Job | Should -BeTrue -Because "the server should have bound 127.0.0.1:$Port ($($Job.Error | Out-String))"
        $Job.JobStateInfo.State | Should -Be 'Running'
    }

    It 'offers node01 its reservation, as server.address (not the listen address)' {
        $script:Offer = Invoke-NfTestProbe -Probe $Probe -MacAddress '52:54:00:00:00:01'

        $Offer.Answered | Should -BeTrue -Because $Offer.Failure
        $Offer.OfferedAddress | Should -Be ([ipaddress]'192.0.2.11')
        $Offer.ServerIdentifier | Should -Be ([ipaddress]'192.0.2.1')
        $Offer.NextServer | Should -Be ([ipaddress]'192.0.2.1')
        $Offer.BootFile | Should -Be 'undionly.kpxe'
    }

    It 'streams the LeaseEvent of that DHCPDISCOVER to Receive-Job' {
        $received = @(Wait-NfTestCondition { Receive-Job -Job $Job } -TimeoutSeconds 10)

        $received | Should -Not -BeNullOrEmpty
        $received | Should -BeOfType ([NodeFoundry.Dhcp.LeaseEvent])
        $offered = $received | Where-Object Kind -EQ 'Offered' | Select-Object -First 1
        $offered.MacAddress.ToString() | Should -Be '525400000001'
        $offered.Address | Should -Be ([ipaddress]'192.0.2.11')
        $offered.RelayAgent | Should -Be ([ipaddress]'127.0.0.1')
        $offered.Source | Should -Be 'dhcp'
    }

    It 'has no unread data after Receive-Job and counts no drops' {
        $Job.Output.Count | Should -Be 0
        $Job.Dropped | Should -Be 0
    }
}

Describe 'Start-NfDhcpServer -Wait' {
    It 'streams LeaseEvents in the foreground until the pipeline is stopped (Ctrl+C)' {
        $port = Get-NfTestFreePort
        $probe = New-NfTestProbe -ServerPort $port -TimeoutMilliseconds 500
        $server = Start-NfTestForegroundServer -Command 'Start-NfDhcpServer' -Parameters @{
            FleetFile = $Fleet; ListenAddress = '127.0.0.1'; Port = $port
            RelayPort = $probe.LocalEndPoint.Port; JournalPath = (Join-Path $TestDrive 'wait.journal')
        }
        try {
            # Retransmit like firmware does until the server answers (it may still be binding).
            $answer = Wait-NfTestCondition {
                $result = Invoke-NfTestProbe -Probe $probe -MacAddress '52:54:00:00:00:02'
                if ($result.Answered) { $result }
            } -TimeoutSeconds 10
            $answer | Should -Not -BeNullOrEmpty -Because ($server.PowerShell.Streams.Error | Out-String)
            $answer.OfferedAddress | Should -Be ([ipaddress]'192.0.2.12')
            Wait-NfTestCondition { $server.Output.Count -gt 0 } -TimeoutSeconds 5 | Should -BeTrue
            # Output holds PSObjects; -BeOfType (-is) sees through the wrapper, .BaseObject would not (it is .psobject.BaseObject).
            $server.Output[0] | Should -BeOfType ([NodeFoundry.Dhcp.LeaseEvent])

            $server.PowerShell.Stop()   # what Ctrl+C does: StopProcessing stops the engine
            $server.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
            Test-NfTestPortFree -Port $port | Should -BeTrue
        }
        finally {
            $server.PowerShell.Dispose()
            $probe.Dispose()
        }
    }
}
