#Requires -Version 7.4
# Pester 5.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NodeFoundry.TestHelpers.psm1') -Force
    Import-Module (Get-NfTestModulePath) -Force
    $script:Fleet = Join-Path $PSScriptRoot 'fixtures/boot-fleet.yaml'
}

AfterAll {
    Remove-Module NodeFoundry -ErrorAction SilentlyContinue
}

Describe 'New-NfBootScript' {
    Context 'nodes piped from Import-NfFleet' {
        BeforeAll {
            $script:Scripts = Import-NfFleet $Fleet | New-NfBootScript
        }

        It 'writes one BootScript per node, in file order' {
            $Scripts | Should -HaveCount 4
            $Scripts | Should -BeOfType ([NodeFoundry.Boot.BootScript])
            $Scripts.NodeName | Should -Be @('node01', 'node02', 'node03', 'node04')
        }

        It 'takes each kind from the profile (<Name>: <Kind>)' -ForEach @(
            @{ Name = 'node01'; Kind = 'Ubuntu' }
            @{ Name = 'node02'; Kind = 'Rhel' }
            @{ Name = 'node03'; Kind = 'Debian' }
            @{ Name = 'node04'; Kind = 'ExitToDisk' }
        ) {
            ($Scripts | Where-Object NodeName -EQ $Name).Kind | Should -Be $Kind
        }

        It 'lints every script clean' {
            $Scripts | ForEach-Object { $_.IsValid | Should -BeTrue; $_.Findings | Should -BeNullOrEmpty }
        }

        It 'names the route and URL the HTTP server serves the script at' {
            $node01 = $Scripts | Where-Object NodeName -EQ 'node01'
            $node01.Route | Should -Be 'boot/52:54:00:00:00:01.ipxe'
            $node01.Url | Should -Be 'http://192.0.2.1/boot/52:54:00:00:00:01.ipxe'
        }

        It 'renders #!ipxe, the fleet timeout in ms, the attempts and the NoCloud seed with its trailing slash' {
            $text = ($Scripts | Where-Object NodeName -EQ 'node01').Text
            $text | Should -BeLike '#!ipxe*'
            $text | Should -Match ([regex]::Escape('kernel --name kernel --timeout 20000 http://192.0.2.1/ubuntu/vmlinuz'))
            $text | Should -Match ([regex]::Escape('iseq ${nf_try} 2 && goto nf_give_up ||'))
            $text | Should -Match ([regex]::Escape('autoinstall ds=nocloud-net;s=http://192.0.2.1/nocloud/52:54:00:00:00:01/ '))
            $text | Should -Match ([regex]::Escape('console=tty0 console=ttyS0,115200n8'))
        }

        It 'writes nothing to disk without -OutputPath' {
            $Scripts | ForEach-Object { $_.Path | Should -BeNullOrEmpty }
        }
    }

    Context '-Name and -Kind with a fleet path' {
        It 'selects nodes by wildcard' {
            (New-NfBootScript $Fleet -Name 'node0[12]').NodeName | Should -Be @('node01', 'node02')
        }

        It 'overrides the kind for every selected node' {
            $script = New-NfBootScript $Fleet -Name node01 -Kind ExitToDisk
            $script.Kind | Should -Be 'ExitToDisk'
            $script.Text | Should -Match ([regex]::Escape('sanboot --no-describe --drive 0x80'))
        }

        It 'writes NfNodeNotFound for a name that matches no node' {
            New-NfBootScript $Fleet -Name node99 -ErrorAction SilentlyContinue -ErrorVariable problems | Should -BeNullOrEmpty
            $problems[0].FullyQualifiedErrorId | Should -Be 'NfNodeNotFound,NodeFoundry.PowerShell.Commands.NewNfBootScriptCommand'
        }

        It 'writes NfBootScriptNotRenderable for a kind the profile cannot provide' {
            New-NfBootScript $Fleet -Name node01 -Kind Chain -ErrorAction SilentlyContinue -ErrorVariable problems | Should -BeNullOrEmpty
            $problems[0].FullyQualifiedErrorId | Should -Be 'NfBootScriptNotRenderable,NodeFoundry.PowerShell.Commands.NewNfBootScriptCommand'
            $problems[0].Exception.Message | Should -Match 'no url'
        }
    }

    Context 'explicit values, no fleet file' {
        It 'renders a script for any node with iPXE''s ${mac}' {
            $script = New-NfBootScript -Kind Ubuntu -HttpBaseUrl http://192.0.2.1 -Kernel http://192.0.2.1/k -Initrd http://192.0.2.1/i
            $script.IsValid | Should -BeTrue
            $script.Route | Should -BeNullOrEmpty
            $script.Text | Should -Match ([regex]::Escape('ds=nocloud-net;s=http://192.0.2.1/nocloud/${mac}/'))
        }

        It 'uses -ChainTimeout and -Attempts' {
            $script = New-NfBootScript -Kind Chain -Url http://192.0.2.1/menu.ipxe -ChainTimeout 00:00:05 -Attempts 7
            $script.Text | Should -Match ([regex]::Escape('chain --autofree --timeout 5000 http://192.0.2.1/menu.ipxe'))
            $script.Text | Should -Match ([regex]::Escape('iseq ${nf_try} 7 && goto nf_give_up ||'))
        }

        It 'guards an arm64 kernel with ${buildarch}' {
            $script = New-NfBootScript -Kind Custom -Kernel http://192.0.2.1/arm64/Image -Arch arm64
            $script.Text | Should -Match ([regex]::Escape('iseq ${buildarch} arm64 && goto nf_arch_ok ||'))
        }

        It 'writes NfBootScriptNotRenderable when the kind lacks what it needs' {
            New-NfBootScript -Kind Rhel -ErrorAction SilentlyContinue -ErrorVariable problems | Should -BeNullOrEmpty
            $problems[0].FullyQualifiedErrorId | Should -Be 'NfBootScriptNotRenderable,NodeFoundry.PowerShell.Commands.NewNfBootScriptCommand'
        }

        It 'rejects a serial console that is not one' {
            { New-NfBootScript -Kind ExitToDisk -SerialConsole com1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,NodeFoundry.PowerShell.Commands.NewNfBootScriptCommand'
        }
    }

    Context 'tab completion' {
        It 'completes -Name from the -FleetPath on the command line' {
            $line = "New-NfBootScript -FleetPath '$Fleet' -Name node0"
            $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $completion.CompletionMatches.CompletionText | Should -Be @('node01', 'node02', 'node03', 'node04')
        }

        It 'completes -MacAddress from the fleets this session used, with the node name as tool tip' {
            $null = Import-NfFleet $Fleet
            $line = 'New-NfBootScript -Kind ExitToDisk -MacAddress 52:54:00:00:00:0'
            $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $completion.CompletionMatches.CompletionText | Should -Contain '52:54:00:00:00:04'
            ($completion.CompletionMatches | Where-Object CompletionText -EQ '52:54:00:00:00:04').ToolTip | Should -Be 'node04'
        }
    }

    Context '-OutputPath' {
        It 'writes boot/<mac>.ipxe with hyphens for colons and returns the path' {
            $out = Join-Path $TestDrive 'http'
            $script = New-NfBootScript $Fleet -Name node02 -OutputPath $out
            $script.Path | Should -Be (Join-Path $out 'boot' '52-54-00-00-00-02.ipxe')
            Get-Content -Raw $script.Path | Should -BeExactly $script.Text
        }

        It 'writes boot/default.ipxe for a script without a MAC' {
            $out = Join-Path $TestDrive 'any'
            $script = New-NfBootScript -Kind ExitToDisk -OutputPath $out
            $script.Path | Should -Be (Join-Path $out 'boot' 'default.ipxe')
        }

        It 'writes nothing with -WhatIf' {
            $out = Join-Path $TestDrive 'whatif'
            $script = New-NfBootScript $Fleet -OutputPath $out -WhatIf
            $script | Should -HaveCount 4
            Test-Path $out | Should -BeFalse
        }
    }
}
