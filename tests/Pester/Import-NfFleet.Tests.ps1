#Requires -Version 7.4
# Pester 5.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NodeFoundry.TestHelpers.psm1') -Force
    Import-Module (Get-NfTestModulePath) -Force
    $script:Fleet = Join-Path $PSScriptRoot 'fixtures/fleet.yaml'
    $script:BadFleet = Join-Path $PSScriptRoot 'fixtures/bad-fleet.yaml'
}

AfterAll {
    Remove-Module NodeFoundry -ErrorAction SilentlyContinue
}

Describe 'Import-NfFleet' {
    Context 'a valid fleet file given by <Form>' -ForEach @(
        @{ Form = 'Path'; Import = { param($f) Import-NfFleet -Path $f } }
        @{ Form = 'LiteralPath'; Import = { param($f) Import-NfFleet -LiteralPath $f } }
        @{ Form = 'pipeline string'; Import = { param($f) $f | Import-NfFleet } }
        @{ Form = 'pipeline FileInfo'; Import = { param($f) Get-Item $f | Import-NfFleet } }
        @{ Form = 'wildcard'; Import = { param($f) Import-NfFleet -Path (Join-Path (Split-Path $f) 'flee?.yaml') } }
    ) {
        BeforeAll {
            $script:Nodes = & $Import $Fleet
        }

        It 'writes one FleetNode per node' {
            $Nodes | Should -HaveCount 2
            $Nodes | Should -BeOfType ([NodeFoundry.Fleet.FleetNode])
        }

        It 'carries name, MAC, host name, address and profile' {
            $node = $Nodes | Where-Object Name -EQ 'node01'
            $node.MacAddress | Should -BeOfType ([System.Net.NetworkInformation.PhysicalAddress])
            $node.MacAddress.ToString() | Should -Be '525400000001'
            $node.HostName | Should -Be 'node01.lab'
            $node.Address | Should -Be ([ipaddress]'192.0.2.11')
            $node.Profile | Should -Be 'ubuntu'
        }

        It 'carries the full path of the fleet file, for New-NfBootScript and New-NfAnswerFile' {
            $Nodes | ForEach-Object { $_.SourcePath | Should -Be (Resolve-Path $Fleet).ProviderPath }
        }
    }

    Context 'an invalid fleet file' {
        BeforeAll {
            $script:Output = Import-NfFleet $BadFleet -ErrorAction SilentlyContinue -ErrorVariable problems
            $script:Problems = $problems
        }

        It 'writes no nodes' {
            $Output | Should -BeNullOrEmpty
        }

        It 'writes one NfFleetFileInvalid error per problem' {
            $Problems | Should -HaveCount 2
            $Problems | ForEach-Object { $_.FullyQualifiedErrorId | Should -Be 'NfFleetFileInvalid,NodeFoundry.PowerShell.Commands.ImportNfFleetCommand' }
            $Problems | ForEach-Object { $_.CategoryInfo.Category | Should -Be 'InvalidData' }
        }

        It 'words every error as the engine does: file:line:col: field: message Fix: (<Field>)' -ForEach @(
            @{ Line = 19; Field = 'nodes[0].mac'; Value = '52:54:00:zz:00:01' }
            @{ Line = 25; Field = 'nodes[1].address'; Value = '192.0.2.300' }
        ) {
            $problem = $Problems | Where-Object { $_.TargetObject.Line -eq $Line }
            $problem | Should -HaveCount 1
            "$problem" | Should -BeExactly $problem.TargetObject.ToString()
            "$problem" | Should -Match "bad-fleet\.yaml:$($Line):\d+: $([regex]::Escape($Field)): .*'$([regex]::Escape($Value))'.* Fix: "
            $problem.ErrorDetails.RecommendedAction | Should -Be $problem.TargetObject.Fix
        }

        It 'makes the FleetError, with its value, available as the target object' {
            $Problems | ForEach-Object { $_.TargetObject | Should -BeOfType ([NodeFoundry.Fleet.FleetError]) }
            ($Problems.TargetObject.Value -join ' ') | Should -Be '52:54:00:zz:00:01 192.0.2.300'
            $Problems | ForEach-Object { $_.Exception | Should -BeOfType ([NodeFoundry.Fleet.FleetValidationException]) }
        }
    }

    Context 'selecting nodes' {
        It 'selects by -Name with wildcards' {
            (Import-NfFleet $Fleet -Name 'node0*').Name | Should -Be @('node01', 'node02')
            (Import-NfFleet $Fleet -Name 'node02').Name | Should -Be 'node02'
        }

        It 'reports a -Name no node has as NfNodeNotFound' {
            Import-NfFleet $Fleet -Name 'node99' -ErrorAction SilentlyContinue -ErrorVariable missing | Should -BeNullOrEmpty
            $missing[0].FullyQualifiedErrorId | Should -BeLike 'NfNodeNotFound*'
        }

        It 'selects by -Profile' {
            Import-NfFleet $Fleet -Profile 'ubu*' | Should -HaveCount 2
            Import-NfFleet $Fleet -Profile 'rhel' | Should -BeNullOrEmpty
        }
    }

    Context 'tab completion from the fleet file on the command line' {
        It 'completes <Parameter> values' -ForEach @(
            @{ Parameter = 'Name'; Word = 'node0'; Expected = @('node01', 'node02') }
            @{ Parameter = 'Profile'; Word = 'ub'; Expected = @('ubuntu') }
        ) {
            $line = "Import-NfFleet -Path '$Fleet' -$Parameter $Word"
            $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $completion.CompletionMatches.CompletionText | Should -Be $Expected
        }

        It 'completes MAC addresses of the fleet last used, with the node name as tool tip' {
            $null = Import-NfFleet $Fleet
            $line = 'Get-NfLease -JournalPath ./none.journal -MacAddress 52:54:00:00:00:0'
            $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            # Other suites in this session may have used fleets too: the fixture's MACs must be among the matches.
            $completion.CompletionMatches.CompletionText | Should -Contain '52:54:00:00:00:01'
            $completion.CompletionMatches.CompletionText | Should -Contain '52:54:00:00:00:02'
            ($completion.CompletionMatches | Where-Object CompletionText -EQ '52:54:00:00:00:01').ToolTip | Should -Be 'node01'
        }
    }

    It 'writes NfFleetFileNotFound for a missing file' {
        Import-NfFleet (Join-Path $TestDrive 'nope.yaml') -ErrorAction SilentlyContinue -ErrorVariable missing | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'NfFleetFileNotFound*'
    }

    It 'has help with examples' {
        $help = Get-Help Import-NfFleet -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
    }
}
