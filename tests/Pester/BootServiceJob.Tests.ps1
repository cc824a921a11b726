#Requires -Version 7.4
# Pester 5. What every Start-Nf*Server cmdlet shares (StartBootServiceCommand, BootServiceJob): the job it returns,
# the job cmdlets, the fleet-file input and its errors, bind failures, -WhatIf. What each server does on the wire is
# in its own suite. Loopback only (127.0.0.1, high ports, no root); every wait is bounded.

BeforeDiscovery {
    # One entry a server cmdlet; Protocol is the engine's name prefix (dhcp@127.0.0.1:port), Tcp its transport.
    $Servers = @(
        @{ Command = 'Start-NfDhcpServer'; Protocol = 'dhcp'; Tcp = $false }
        @{ Command = 'Start-NfTftpServer'; Protocol = 'tftp'; Tcp = $false }
        @{ Command = 'Start-NfHttpServer'; Protocol = 'http'; Tcp = $true }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NodeFoundry.TestHelpers.psm1') -Force
    Import-Module (Get-NfTestModulePath) -Force
    $script:Fleet = Join-Path $PSScriptRoot 'fixtures/fleet.yaml'
    $script:BadFleet = Join-Path $PSScriptRoot 'fixtures/bad-fleet.yaml'
    $script:TftpRoot = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'tftp')).FullName
    $script:HttpRoot = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'http')).FullName

    function New-ServerArguments {
        <# What $Command needs to serve on 127.0.0.1:$Port besides the fleet file, so that nothing is written outside $TestDrive. #>
        param([Parameter(Mandatory)][string] $Command, [Parameter(Mandatory)][int] $Port)
        $arguments = @{ ListenAddress = [ipaddress]::Loopback; Port = $Port }
        switch ($Command) {
            'Start-NfDhcpServer' { $arguments.JournalPath = Join-Path $TestDrive "leases-$Port.journal" }
            'Start-NfTftpServer' { $arguments.Root = $TftpRoot }
            'Start-NfHttpServer' { $arguments.Root = $HttpRoot }
            default { throw "New-ServerArguments does not know $Command yet." }
        }
        return $arguments
    }
}

AfterAll {
    Get-Job | Where-Object PSJobTypeName -EQ 'NodeFoundryJob' | Remove-Job -Force
    Remove-Module NodeFoundry -ErrorAction SilentlyContinue
}

Describe '<Command> as a job' -ForEach $Servers {
    BeforeAll {
        $script:Port = Get-NfTestFreePort -Tcp:$Tcp
        $arguments = New-ServerArguments -Command $Command -Port $Port
        $script:Job = & $Command -FleetFile $Fleet -Name "nf-pester-$Protocol-$Port" @arguments
    }

    AfterAll {
        if ($Job) { $Job | Remove-Job -Force -ErrorAction SilentlyContinue }
    }

    It 'returns a running NodeFoundry job, already listening' {
        $Job | Should -BeOfType ([NodeFoundry.PowerShell.Jobs.BootServiceJob])
        $Job.PSJobTypeName | Should -Be 'NodeFoundryJob'
        $Job.Name | Should -Be "nf-pester-$Protocol-$Port"
        $Job.Location | Should -Be "$Protocol@127.0.0.1:$Port"
        $Job.Service.WhenListening.IsCompletedSuccessfully | Should -BeTrue -Because "the cmdlet returns once 127.0.0.1:$Port is bound ($($Job.Error | Out-String))"
        $Job.JobStateInfo.State | Should -Be 'Running'
        $Job.Dropped | Should -Be 0
    }

    It 'is found exactly once by Get-Job, by Id, Name, InstanceId, State and unfiltered' {
        @(Get-Job -Id $Job.Id).Count | Should -Be 1
        @(Get-Job -Name $Job.Name).Count | Should -Be 1
        @(Get-Job -InstanceId $Job.InstanceId).Count | Should -Be 1
        @(Get-Job -State Running | Where-Object InstanceId -EQ $Job.InstanceId).Count | Should -Be 1
        @(Get-Job | Where-Object InstanceId -EQ $Job.InstanceId).Count | Should -Be 1
        (Get-Job -Id $Job.Id).InstanceId | Should -Be $Job.InstanceId
    }

    It 'stops with Stop-Job and releases its port' {
        Stop-Job -Job $Job
        $Job.JobStateInfo.State | Should -Be 'Stopped'
        Test-NfTestPortFree -Port $Port -Tcp:$Tcp | Should -BeTrue
    }

    It 'is removed by Remove-Job' {
        Remove-Job -Job $Job
        Get-Job -Id $Job.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $script:Job = $null
    }
}

Describe '<Command> input' -ForEach $Servers {
    It 'starts one server for all the nodes Import-NfFleet pipes in (each carries SourcePath)' {
        $port = Get-NfTestFreePort -Tcp:$Tcp
        $arguments = New-ServerArguments -Command $Command -Port $port
        $before = @(Get-Job).Count
        try {
            $jobs = @(Import-NfFleet -Path $Fleet | & $Command @arguments)

            $jobs.Count | Should -Be 1
            $jobs[0].Location | Should -Be "$Protocol@127.0.0.1:$port"
            $jobs[0].JobStateInfo.State | Should -Be 'Running'
            @(Get-Job).Count | Should -Be ($before + 1)
        }
        finally {
            $jobs | Remove-Job -Force -ErrorAction SilentlyContinue
        }
    }

    It 'binds -FleetFile from a piped FileInfo (FullName)' {
        $arguments = New-ServerArguments -Command $Command -Port (Get-NfTestFreePort -Tcp:$Tcp)
        try {
            $jobs = @(Get-Item -Path $Fleet | & $Command @arguments -ErrorAction Stop)

            $jobs.Count | Should -Be 1
            $jobs[0].JobStateInfo.State | Should -Be 'Running'
        }
        finally {
            $jobs | Remove-Job -Force -ErrorAction SilentlyContinue
        }
    }

    It 'starts nothing with -WhatIf' {
        $before = @(Get-Job).Count
        $arguments = New-ServerArguments -Command $Command -Port (Get-NfTestFreePort -Tcp:$Tcp)

        & $Command -FleetFile $Fleet @arguments -WhatIf | Should -BeNullOrEmpty
        @(Get-Job).Count | Should -Be $before
    }
}

Describe '<Command> and the job cmdlets' -ForEach $Servers {
    BeforeEach {
        $script:Port = Get-NfTestFreePort -Tcp:$Tcp
        $arguments = New-ServerArguments -Command $Command -Port $Port
        $script:Job = & $Command -FleetFile $Fleet -Name "nf-pester-jobs-$Protocol-$Port" @arguments
    }

    AfterEach {
        if ($Job) { $Job | Remove-Job -Force -ErrorAction SilentlyContinue }
    }

    It 'is not finished for Wait-Job while it serves (Wait-Job -Timeout returns nothing)' {
        Wait-Job -Job $Job -Timeout 1 | Should -BeNullOrEmpty
        $Job.JobStateInfo.State | Should -Be 'Running'
    }

    It 'keeps its verbose "started" record for Receive-Job -Keep, and drops it after Receive-Job' {
        $started = Receive-Job -Job $Job -Keep -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        "$started" | Should -BeLike "*'$Protocol@127.0.0.1:$Port' started.*"
        $Job.HasMoreData | Should -BeTrue
        $null = Receive-Job -Job $Job -Verbose 4>&1
        $Job.HasMoreData | Should -BeFalse
    }

    It 'stops when Get-Job -Name pipes it to Stop-Job' {
        Get-Job -Name $Job.Name | Stop-Job
        $Job.JobStateInfo.State | Should -Be 'Stopped'
        Test-NfTestPortFree -Port $Port -Tcp:$Tcp | Should -BeTrue
    }

    It 'stops and goes with Remove-Job -Force while running, releasing its port' {
        $id = $Job.Id
        Remove-Job -Job $Job -Force
        Get-Job -Id $id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Test-NfTestPortFree -Port $Port -Tcp:$Tcp | Should -BeTrue
        $script:Job = $null
    }
}

Describe '<Command> failures' -ForEach $Servers {
    It 'throws one NfFleetFileInvalid error listing every fleet problem, and starts nothing' {
        $before = @(Get-Job).Count
        $arguments = New-ServerArguments -Command $Command -Port (Get-NfTestFreePort -Tcp:$Tcp)
        $thrown = { & $Command -FleetFile $BadFleet @arguments } |
            Should -Throw -ErrorId "NfFleetFileInvalid,NodeFoundry.PowerShell.Commands.$($Command -replace '-')Command" -PassThru

        $thrown.Exception | Should -BeOfType ([NodeFoundry.Fleet.FleetValidationException])
        $thrown.Exception.Errors.Count | Should -Be 2
        $thrown.Exception.Errors | Should -BeOfType ([NodeFoundry.Fleet.FleetError])
        $thrown.Exception.Message | Should -Match 'bad-fleet\.yaml:19:\d+: nodes\[0\]\.mac: .* Fix: '
        $thrown.Exception.Message | Should -Match 'bad-fleet\.yaml:25:\d+: nodes\[1\]\.address: .* Fix: '
        @(Get-Job).Count | Should -Be $before
    }

    It 'throws NfFleetFileNotFound for a missing fleet file' {
        $arguments = New-ServerArguments -Command $Command -Port (Get-NfTestFreePort -Tcp:$Tcp)

        { & $Command -FleetFile (Join-Path $TestDrive 'missing.yaml') @arguments } |
            Should -Throw -ErrorId "NfFleetFileNotFound,NodeFoundry.PowerShell.Commands.$($Command -replace '-')Command"
    }

    It 'fails the job with NfBootServiceAddressInUse when the port is taken' {
        $port = Get-NfTestFreePort -Tcp:$Tcp
        $arguments = New-ServerArguments -Command $Command -Port $port
        $blocker = New-NfTestSocket -Tcp:$Tcp
        $blocker.Bind([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, $port))
        if ($Tcp) { $blocker.Listen(1) }
        try {
            # The UDP engines set no SO_REUSEADDR and a TCP listener never shares its port on Linux, so a port
            # already taken fails loudly instead of splitting the clients.
            $job = & $Command -FleetFile $Fleet @arguments
            Wait-NfTestCondition { $job.JobStateInfo.State -eq 'Failed' } -TimeoutSeconds 10 | Should -BeTrue
            $job.Error[0].FullyQualifiedErrorId | Should -BeLike 'NfBootServiceAddressInUse*'
            $job.Error[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
            $job.Error[0].Exception.Message | Should -Match 'already in use'
            $job.JobStateInfo.Reason | Should -Not -BeNullOrEmpty
            $job.JobStateInfo.Reason.Message | Should -Match 'already in use'   # Get-Job's reason names it too
            $job.HasMoreData | Should -BeTrue
            { Receive-Job -Job $job -ErrorAction Stop } | Should -Throw
        }
        finally {
            $blocker.Dispose()
            if ($job) { $job | Remove-Job -Force }
        }
    }
}
