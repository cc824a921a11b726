#Requires -Version 7.4
# Pester 5. Get-NfBootTimeline and Wait-NfNode over a Start-NfBootStack job: parameters, pipeline binding, errors,
# the format view and tab completion. Loopback only (127.0.0.1, high ports, no root); every wait is bounded. The DHCP
# client is the engine's DhcpProbeClient (relay-style, answered on -RelayPort), as in Start-NfBootStack.Tests.ps1; the
# fixture fleet is copied to $TestDrive because the stack creates its TFTP root and state folder beside the fleet file.
# BootStackPesterAssumptionTests and TimelinePesterAssumptionTests (tests/NodeFoundry.Module.Tests) check the engine
# side without PowerShell.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NodeFoundry.TestHelpers.psm1') -Force
    Import-Module (Get-NfTestModulePath) -Force
    $script:Fleet = Join-Path $TestDrive 'fleet.yaml'
    Copy-Item -LiteralPath (Join-Path $PSScriptRoot 'fixtures/fleet.yaml') -Destination $Fleet

    $dhcpPort, $tftpPort = Get-NfTestFreePort -Count 2
    $script:Probe = New-NfTestProbe -ServerPort $dhcpPort
    $script:Job = Start-NfBootStack -FleetFile $Fleet -ListenAddress 127.0.0.1 -DhcpPort $dhcpPort `
        -TftpPort $tftpPort -HttpPort (Get-NfTestFreePort -Tcp) -RelayPort $Probe.LocalEndPoint.Port `
        -JournalPath (Join-Path $TestDrive 'leases.journal') -Name 'nf-pester-timeline' -WarningAction SilentlyContinue
    $script:Listening = Wait-NfTestListening -Job $Job

    # What the timeline holds before any node booted, then node01 leases (DISCOVER, REQUEST): it is Bound from here on.
    $script:Before = @(Get-NfBootTimeline -Job $Job)
    $script:Lease = Invoke-NfTestProbe -Probe $Probe -MacAddress '52:54:00:00:00:01' -CompleteLease
    $null = Wait-NfNode -Job $Job -Stage Bound -Name node01 -TimeoutSec 10 -ErrorAction SilentlyContinue
}

AfterAll {
    if ($Job) { $Job | Remove-Job -Force -ErrorAction SilentlyContinue }
    if ($Probe) { $Probe.Dispose() }
    Remove-Module NodeFoundry -ErrorAction SilentlyContinue
}

Describe 'Get-NfBootTimeline' {
    It 'listed no node before any node had booted' {
        $Listening | Should -BeTrue -Because "the stack should have bound its ports ($($Job.Error | Out-String))"
        $Before | Should -HaveCount 0
    }

    Context 'after node01 has leased' {
        It 'writes one NodeBootTimeline per node seen, named from the fleet file' {
            $Lease.Acknowledged | Should -BeTrue -Because $Lease.Failure
            $timeline = @(Get-NfBootTimeline -Job $Job)
            $timeline | Should -HaveCount 1
            $timeline[0] | Should -BeOfType ([NodeFoundry.Timeline.NodeBootTimeline])
            $timeline[0].NodeName | Should -Be 'node01'
            $timeline[0].MacAddress | Should -BeOfType ([System.Net.NetworkInformation.PhysicalAddress])
            $timeline[0].Stage | Should -Be ([NodeFoundry.Timeline.BootStage]::Bound)
            $timeline[0].HasReached('Offered') | Should -BeTrue
            $timeline[0].At('Bound') | Should -Not -BeNullOrEmpty
        }

        It 'takes the job from the pipeline (Get-Job | Get-NfBootTimeline)' {
            @(Get-Job -Name 'nf-pester-timeline' | Get-NfBootTimeline).NodeName | Should -Be 'node01'
        }

        It 'binds MacAddress by property name from fleet nodes, so only piped nodes that were seen come out' {
            $fromFleet = @(Import-NfFleet $Fleet | Get-NfBootTimeline -Job $Job)
            $fromFleet | Should -HaveCount 1
            $fromFleet[0].NodeName | Should -Be 'node01'
        }

        It 'filters by -MacAddress given as text (<Mac>)' -ForEach @(
            @{ Mac = '52:54:00:00:00:01'; Count = 1 }
            @{ Mac = '52-54-00-00-00-01'; Count = 1 }
            @{ Mac = '525400000001'; Count = 1 }
            @{ Mac = '52:54:00:00:00:02'; Count = 0 }
        ) {
            @(Get-NfBootTimeline -Job $Job -MacAddress $Mac) | Should -HaveCount $Count
        }

        It 'filters by -Name with wildcards' {
            @(Get-NfBootTimeline -Job $Job -Name 'NODE0*').NodeName | Should -Be 'node01'
            Get-NfBootTimeline -Job $Job -Name 'node02' | Should -BeNullOrEmpty
        }

        It 'writes a non-terminating NfNodeNotFound for a name the fleet file does not have' {
            Get-NfBootTimeline -Job $Job -Name 'node99' -ErrorAction SilentlyContinue -ErrorVariable missing | Should -BeNullOrEmpty
            $missing | Should -HaveCount 1
            $missing[0].FullyQualifiedErrorId | Should -Be 'NfNodeNotFound,NodeFoundry.PowerShell.Commands.GetNfBootTimelineCommand'
            $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'formats timelines with the columns an operator scans first' {
            $table = Get-NfBootTimeline -Job $Job | Format-Table | Out-String -Width 200
            $table | Should -Match 'Name\s+MacAddress\s+Stage\s+IPAddress'
            $table | Should -Match 'node01\s+52:54:00:00:00:01\s+Bound\s+192\.0\.2\.11'
        }
    }

    It 'writes a non-terminating NfJobNotBootStack for a job that is not a boot stack' {
        $other = Start-Job { 1 }
        try {
            Get-NfBootTimeline -Job $other -ErrorAction SilentlyContinue -ErrorVariable wrong | Should -BeNullOrEmpty
            $wrong[0].FullyQualifiedErrorId | Should -Be 'NfJobNotBootStack,NodeFoundry.PowerShell.Commands.GetNfBootTimelineCommand'
        }
        finally { $other | Remove-Job -Force }
    }

    It 'refuses a $null job at binding time' {
        { Get-NfBootTimeline -Job $null } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}

Describe 'Get-NfBootTimeline -FleetFile' {
    # No PostgreSQL here: the store-backed reading is in the lab tests (Storage/SharedBootEventAcceptanceTests); these
    # check what a console is told when the fleet file cannot lead it to a shared store.
    BeforeAll {
        $script:Shared = Join-Path $TestDrive 'shared.yaml'
        (Get-Content -Raw -LiteralPath $Fleet) + "`nstorage:`n  kind: postgresql`n  connection: env:NF_PESTER_NO_SUCH_VARIABLE`n" |
            Set-Content -LiteralPath $Shared -NoNewline
    }

    It 'refuses a fleet file whose leases are in a journal with a terminating NfStoreNotShared' {
        { Get-NfBootTimeline -FleetFile $Fleet } | Should -Throw -ErrorId 'NfStoreNotShared,NodeFoundry.PowerShell.Commands.GetNfBootTimelineCommand'
    }

    It 'says NfBootEventStoreUnavailable when the store''s connection string cannot be read' {
        $env:NF_PESTER_NO_SUCH_VARIABLE = $null
        { Get-NfBootTimeline -FleetFile $Shared } | Should -Throw -ErrorId 'NfBootEventStoreUnavailable,NodeFoundry.PowerShell.Commands.GetNfBootTimelineCommand'
    }

    It 'says NfFleetFileNotFound for a fleet file that does not exist' {
        { Get-NfBootTimeline -FleetFile (Join-Path $TestDrive 'missing.yaml') } |
            Should -Throw -ErrorId 'NfFleetFileNotFound,NodeFoundry.PowerShell.Commands.GetNfBootTimelineCommand'
    }

    It 'takes -FleetFile or -Job, not both' {
        { Get-NfBootTimeline -Job $Job -FleetFile $Fleet } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
    }

    It 'still reads a stack whose fleet shares no store from the stack itself, without a warning' {
        @(Get-NfBootTimeline -Job $Job -WarningVariable warned).NodeName | Should -Be 'node01'
        $warned | Should -BeNullOrEmpty
    }
}

Describe 'Wait-NfNode' {
    # node01 is Bound (the root BeforeAll leased it); node02 never showed up.
    It 'returns at once for a node that already reached the stage (<Form>)' -ForEach @(
        @{ Form = '-Name'; Selection = @{ Name = 'node01' } }
        @{ Form = '-MacAddress as text'; Selection = @{ MacAddress = '52:54:00:00:00:01' } }
        @{ Form = '-Count'; Selection = @{ Count = 1 } }
    ) {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $node = @(Wait-NfNode -Job $Job -Stage Bound @Selection -TimeoutSec 30)
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10

        $node | Should -HaveCount 1
        $node[0] | Should -BeOfType ([NodeFoundry.Timeline.NodeBootTimeline])
        $node[0].NodeName | Should -Be 'node01'
    }

    It 'counts a node at a later stage: Offered is satisfied by Bound' {
        @(Wait-NfNode -Job $Job -Stage Offered -Name node01 -TimeoutSec 5).NodeName | Should -Be 'node01'
    }

    It 'binds -Stage from text, case-insensitively, and by position' {
        @(Wait-NfNode -Job $Job -Stage 'bound' -Name node01 -TimeoutSec 5) | Should -HaveCount 1
        @(Wait-NfNode $Job Bound -Name node01 -TimeoutSec 5) | Should -HaveCount 1
    }

    It 'refuses a stage that does not exist at binding time' {
        { Wait-NfNode -Job $Job -Stage Booted -Name node01 -TimeoutSec 1 } |
            Should -Throw -ExceptionType ([System.Management.Automation.ParameterBindingException])
    }

    It 'refuses -Count with -Name (two parameter sets)' {
        { Wait-NfNode -Job $Job -Count 1 -Name node01 -TimeoutSec 1 } |
            Should -Throw -ErrorId 'AmbiguousParameterSet,NodeFoundry.PowerShell.Commands.WaitNfNodeCommand'
    }

    It 'refuses a -TimeoutSec of 0' {
        { Wait-NfNode -Job $Job -Count 1 -TimeoutSec 0 } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,NodeFoundry.PowerShell.Commands.WaitNfNodeCommand'
    }

    It 'on timeout writes what reached the stage, then a non-terminating NfNodeWaitTimeout' {
        $out = @(Wait-NfNode -Job $Job -Stage Installed -Count 2 -TimeoutSec 1 -ErrorVariable late -ErrorAction SilentlyContinue)

        $out | Should -HaveCount 0
        $late | Should -HaveCount 1
        $late[0].FullyQualifiedErrorId | Should -Be 'NfNodeWaitTimeout,NodeFoundry.PowerShell.Commands.WaitNfNodeCommand'
        $late[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $late[0].Exception | Should -BeOfType ([System.TimeoutException])
        $late[0].Exception.Message | Should -BeLike '0 node(s) reached Installed within 1 s; missing: node01 (52:54:00:00:00:01) at Bound*'
    }

    It 'stops with -ErrorAction Stop on a timeout, as a runbook wants' {
        { Wait-NfNode -Job $Job -Stage Installed -Name node01 -TimeoutSec 1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'NfNodeWaitTimeout,NodeFoundry.PowerShell.Commands.WaitNfNodeCommand'
    }

    It 'writes a verbose line saying what it waits for' {
        $verbose = Wait-NfNode -Job $Job -Stage Bound -Name node01 -TimeoutSec 5 -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        "$verbose" | Should -BeLike 'Waiting up to 5 s for 1 node(s) to reach Bound.*'
    }

    It 'writes a non-terminating NfJobNotBootStack for a NodeFoundry job that runs a single server' {
        $dhcp = Start-NfDhcpServer -FleetFile $Fleet -ListenAddress 127.0.0.1 -Port (Get-NfTestFreePort) `
            -JournalPath (Join-Path $TestDrive 'single.journal')
        try {
            Wait-NfNode -Job $dhcp -Count 1 -TimeoutSec 1 -ErrorAction SilentlyContinue -ErrorVariable wrong | Should -BeNullOrEmpty
            $wrong[0].FullyQualifiedErrorId | Should -Be 'NfJobNotBootStack,NodeFoundry.PowerShell.Commands.WaitNfNodeCommand'
        }
        finally { $dhcp | Remove-Job -Force }
    }
}

Describe 'Timeline cmdlets: tab completion from the fleet the stack was started with' {
    It 'completes <Command> -<Parameter>' -ForEach @(
        @{ Command = 'Wait-NfNode'; Parameter = 'Name'; Word = 'node0'; Expected = 'node01' }
        @{ Command = 'Get-NfBootTimeline'; Parameter = 'Name'; Word = 'node0'; Expected = 'node02' }
        @{ Command = 'Get-NfBootTimeline'; Parameter = 'MacAddress'; Word = '52:54:00:00:00:0'; Expected = '52:54:00:00:00:02' }
    ) {
        # No fleet file on these command lines: the completer offers the session's recent fleets (Start-NfBootStack's).
        $line = "$Command -Job `$Job -$Parameter $Word"
        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $completion.CompletionMatches.CompletionText | Should -Contain $Expected
    }
}
