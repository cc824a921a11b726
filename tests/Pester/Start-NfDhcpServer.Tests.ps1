#Requires -Version 7.4
# Pester 5. Loopback only (127.0.0.1, high ports); every wait is bounded.

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
        $script:Journal = Join-Path $TestDrive 'leases.journal'
        $script:Job = Start-NfDhcpServer -FleetFile $Fleet -ListenAddress 127.0.0.1 -Port $Port -JournalPath $Journal -Name "nf-pester-$Port"
    }

    AfterAll {
        if ($Job) { $Job | Remove-Job -Force -ErrorAction SilentlyContinue }
    }

    It 'returns a running NodeFoundry job' {
        $Job | Should -BeOfType ([NodeFoundry.PowerShell.Jobs.BootServiceJob])
        $Job.PSJobTypeName | Should -Be 'NodeFoundryJob'
        $Job.Name | Should -Be "nf-pester-$Port"
        $Job.Location | Should -Match ([regex]::Escape("127.0.0.1"))
        Wait-NfTestCondition { $Job.JobStateInfo.State -eq 'Running' } -TimeoutSeconds 5 | Should -BeTrue
        Start-Sleep -Milliseconds 300
        $Job.JobStateInfo.State | Should -Be 'Running' -Because "the server should have bound 127.0.0.1:$Port ($($Job.Error | Out-String))"
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

    It 'streams a LeaseEvent to Receive-Job for a DHCPDISCOVER' {
        Send-NfTestDhcpPacket -Port $Port -Packet (New-NfTestDhcpPacket -MacAddress '52:54:00:00:00:01')
        $script:Received = Wait-NfTestCondition { Receive-Job -Job $Job } -TimeoutSeconds 10

        $Received | Should -Not -BeNullOrEmpty
        $Received | Should -BeOfType ([NodeFoundry.Dhcp.LeaseEvent])
        $Received[0].MacAddress.ToString() | Should -Be '525400000001'
        $Received[0].Source | Should -Be 'dhcp'
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

        $thrown.Exception | Should -BeOfType ([NodeFoundry.PowerShell.Fleet.FleetFileInvalidException])
        $thrown.Exception.Errors.Count | Should -Be 2
        $thrown.Exception.Message | Should -Match 'bad-fleet\.yaml:9:\d+:'
        $thrown.Exception.Message | Should -Match 'bad-fleet\.yaml:14:\d+:'
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
            $job = Start-NfDhcpServer -FleetFile $Fleet -ListenAddress 127.0.0.1 -Port $port
            Wait-NfTestCondition { $job.JobStateInfo.State -eq 'Failed' } -TimeoutSeconds 10 | Should -BeTrue
            $job.Error[0].FullyQualifiedErrorId | Should -BeLike 'NfBootServiceAddressInUse*'
            $job.Error[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
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
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($ModulePath, $FleetFile, $Port)
                    Import-Module $ModulePath
                    Start-NfDhcpServer -FleetFile $FleetFile -ListenAddress 127.0.0.1 -Port $Port -Wait
                }).AddParameters(@{ ModulePath = (Get-NfTestModulePath); FleetFile = $Fleet; Port = $port })
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $null = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)

            # Retransmit like firmware does until the server answers (it may still be binding).
            $got = Wait-NfTestCondition {
                Send-NfTestDhcpPacket -Port $port -Packet (New-NfTestDhcpPacket -MacAddress '52:54:00:00:00:02')
                Start-Sleep -Milliseconds 200
                $output.Count -gt 0
            } -TimeoutSeconds 10
            $got | Should -BeTrue -Because ($ps.Streams.Error | Out-String)
            $output[0].BaseObject | Should -BeOfType ([NodeFoundry.Dhcp.LeaseEvent])

            $ps.Stop()   # what Ctrl+C does: StopProcessing stops the engine
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            Test-NfTestPortFree -Port $port | Should -BeTrue
        }
        finally {
            $ps.Dispose()
        }
    }
}
