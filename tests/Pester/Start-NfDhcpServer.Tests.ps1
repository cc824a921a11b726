#Requires -Version 7.4
# Pester 5. Loopback only (127.0.0.1, high ports, no root); every wait is bounded. The client is the engine's
# DhcpProbeClient (relay-style): the server answers it at giaddr 127.0.0.1 on -RelayPort, its port.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NodeFoundry.TestHelpers.psm1') -Force
    Import-Module (Get-NfTestModulePath) -Force
    $script:Fleet = Join-Path $PSScriptRoot 'fixtures/fleet.yaml'
    $script:BadFleet = Join-Path $PSScriptRoot 'fixtures/bad-fleet.yaml'
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

    It 'returns a running NodeFoundry job' {
        $Job | Should -BeOfType ([NodeFoundry.PowerShell.Jobs.BootServiceJob])
        $Job.PSJobTypeName | Should -Be 'NodeFoundryJob'
        $Job.Name | Should -Be "nf-pester-$Port"
        $Job.Location | Should -Be "dhcp@127.0.0.1:$Port"
        Wait-NfTestListening -Job $Job | Should -BeTrue -Because "the server should have bound 127.0.0.1:$Port ($($Job.Error | Out-String))"
        $Job.JobStateInfo.State | Should -Be 'Running' 
    }

    It 'is found by Get-Job by <By>' -ForEach @(
        @{ By = 'Id' }
        @{ By = 'Name' }
        @{ By = 'InstanceId' }
        @{ By = 'State' }
    ) {
        $found = switch ($By) {
            'Id' { Get-Job -Id $Job.Id }
            'Name' { Get-Job -Name $Job.Name }
            'InstanceId' { Get-Job -InstanceId $Job.InstanceId }
            'State' { Get-Job -State Running | Where-Object InstanceId -EQ $Job.InstanceId }
        }
        @($found).Count | Should -Be 1 -Because 'the job is registered exactly once'
        $found.InstanceId | Should -Be $Job.InstanceId
    }

    It 'appears once in an unfiltered Get-Job' {
        @(Get-Job | Where-Object InstanceId -EQ $Job.InstanceId).Count | Should -Be 1
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

    It 'stops with Stop-Job and releases its port' {
        Stop-Job -Job $Job
        $Job.JobStateInfo.State | Should -Be 'Stopped'
        Test-NfTestPortFree -Port $Port | Should -BeTrue
    }

    It 'is removed by Remove-Job' {
        Remove-Job -Job $Job
        Get-Job -Id $Job.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $script:Job = $null
    }
}

Describe 'Start-NfDhcpServer failures' {
    It 'throws one terminating error listing every fleet problem, and starts nothing' {
        $before = @(Get-Job).Count
        $thrown = { Start-NfDhcpServer -FleetFile $BadFleet -ListenAddress 127.0.0.1 -Port (Get-NfTestFreePort) } |
            Should -Throw -ErrorId 'NfFleetFileInvalid,NodeFoundry.PowerShell.Commands.StartNfDhcpServerCommand' -PassThru

        $thrown.Exception | Should -BeOfType ([NodeFoundry.Fleet.FleetValidationException])
        $thrown.Exception.Errors.Count | Should -Be 2
        $thrown.Exception.Errors | Should -BeOfType ([NodeFoundry.Fleet.FleetError])
        $thrown.Exception.Message | Should -Match 'bad-fleet\.yaml:19:\d+: nodes\[0\]\.mac: .* Fix: '
        $thrown.Exception.Message | Should -Match 'bad-fleet\.yaml:25:\d+: nodes\[1\]\.address: .* Fix: '
        @(Get-Job).Count | Should -Be $before
    }

    It 'throws NfFleetFileNotFound for a missing fleet file' {
        { Start-NfDhcpServer -FleetFile (Join-Path $TestDrive 'missing.yaml') } |
            Should -Throw -ErrorId 'NfFleetFileNotFound,NodeFoundry.PowerShell.Commands.StartNfDhcpServerCommand'
    }

    It 'fails the job with NfBootServiceAddressInUse when the port is taken' {
        $port = Get-NfTestFreePort
        $blocker = [System.Net.Sockets.Socket]::new('InterNetwork', 'Dgram', 'Udp')
        if ($IsWindows) { $blocker.ExclusiveAddressUse = $true }
        $blocker.Bind([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, $port))
        try {
            # The engine sets no SO_REUSEADDR, so a port already bound fails loudly instead of being shared.
            $job = Start-NfDhcpServer -FleetFile $Fleet -ListenAddress 127.0.0.1 -Port $port -JournalPath (Join-Path $TestDrive 'in-use.journal')
            Wait-NfTestCondition { $job.JobStateInfo.State -eq 'Failed' } -TimeoutSeconds 10 | Should -BeTrue
            $job.Error[0].FullyQualifiedErrorId | Should -BeLike 'NfBootServiceAddressInUse*'
            $job.Error[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
            $job.Error[0].Exception.Message | Should -Match 'already in use'
            $job.JobStateInfo.Reason | Should -Not -BeNullOrEmpty
            $job.HasMoreData | Should -BeTrue
            { Receive-Job -Job $job -ErrorAction Stop } | Should -Throw
        }
        finally {
            $blocker.Dispose()
            if ($job) { $job | Remove-Job -Force }
        }
    }

    It 'starts nothing with -WhatIf' {
        $before = @(Get-Job).Count
        Start-NfDhcpServer -FleetFile $Fleet -ListenAddress 127.0.0.1 -Port (Get-NfTestFreePort) -WhatIf | Should -BeNullOrEmpty
        @(Get-Job).Count | Should -Be $before
    }
}

Describe 'Start-NfDhcpServer -Wait' {
    It 'streams LeaseEvents in the foreground until the pipeline is stopped (Ctrl+C)' {
        $port = Get-NfTestFreePort
        $probe = New-NfTestProbe -ServerPort $port -TimeoutMilliseconds 500
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($ModulePath, $FleetFile, $Port, $RelayPort, $JournalPath)
                    Import-Module $ModulePath
                    Start-NfDhcpServer -FleetFile $FleetFile -ListenAddress 127.0.0.1 -Port $Port -RelayPort $RelayPort -JournalPath $JournalPath -Wait
                }).AddParameters(@{
                    ModulePath = (Get-NfTestModulePath); FleetFile = $Fleet; Port = $port
                    RelayPort = $probe.LocalEndPoint.Port; JournalPath = (Join-Path $TestDrive 'wait.journal')
                })
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $null = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)

            # Retransmit like firmware does until the server answers (it may still be binding).
            $answer = Wait-NfTestCondition {
                $result = Invoke-NfTestProbe -Probe $probe -MacAddress '52:54:00:00:00:02'
                if ($result.Answered) { $result }
            } -TimeoutSeconds 10
            $answer | Should -Not -BeNullOrEmpty -Because ($ps.Streams.Error | Out-String)
            $answer.OfferedAddress | Should -Be ([ipaddress]'192.0.2.12')
            Wait-NfTestCondition { $output.Count -gt 0 } -TimeoutSeconds 5 | Should -BeTrue
            $output[0].BaseObject | Should -BeOfType ([NodeFoundry.Dhcp.LeaseEvent])

            $ps.Stop()   # what Ctrl+C does: StopProcessing stops the engine
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            Test-NfTestPortFree -Port $port | Should -BeTrue
        }
        finally {
            $ps.Dispose()
            $probe.Dispose()
        }
    }
}
