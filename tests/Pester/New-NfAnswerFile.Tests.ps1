#Requires -Version 7.4
# Pester 5.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NodeFoundry.TestHelpers.psm1') -Force
    Import-Module (Get-NfTestModulePath) -Force
    $script:Fleet = Join-Path $PSScriptRoot 'fixtures/boot-fleet.yaml'
    # A SHA-512 crypt of a throwaway test password; only its shape matters here.
    $script:Hash = '$6$pester$0Mq3pYy2Vv9cRfJk1nB7sLw4tG8hZ5xQeD6uA2iO3rT9mN1kP7lS4jH8gF0dC5bV3xZ1yW6qE2rT8uI4oP9aS/'
    $env:NF_PESTER_OPS_HASH = $Hash
}

AfterAll {
    Remove-Item Env:NF_PESTER_OPS_HASH -ErrorAction SilentlyContinue
    Remove-Module NodeFoundry -ErrorAction SilentlyContinue
}

Describe 'New-NfAnswerFile' {
    Context 'every node of the fleet' {
        BeforeAll {
            $script:Files = Import-NfFleet $Fleet | New-NfAnswerFile
        }

        It 'writes AnswerFile objects: four NoCloud files, one kickstart, one preseed, none for local' {
            $Files | Should -BeOfType ([NodeFoundry.Boot.AnswerFile])
            ($Files | Where-Object NodeName -EQ 'node01').Kind | Should -Be @('UserData', 'MetaData', 'VendorData', 'NetworkConfig')
            ($Files | Where-Object NodeName -EQ 'node02').Kind | Should -Be 'Kickstart'
            ($Files | Where-Object NodeName -EQ 'node03').Kind | Should -Be 'Preseed'
            $Files | Where-Object NodeName -EQ 'node04' | Should -BeNullOrEmpty
        }

        It 'lints every file clean' {
            $Files | ForEach-Object { $_.IsValid | Should -BeTrue; $_.Findings | Should -BeNullOrEmpty }
        }

        It 'serves <Kind> at <Route>' -ForEach @(
            @{ Kind = 'UserData'; Route = 'nocloud/52:54:00:00:00:01/user-data' }
            @{ Kind = 'MetaData'; Route = 'nocloud/52:54:00:00:00:01/meta-data' }
            @{ Kind = 'Kickstart'; Route = 'ks/52:54:00:00:00:02.cfg' }
            @{ Kind = 'Preseed'; Route = 'preseed/52:54:00:00:00:03.cfg' }
        ) {
            ($Files | Where-Object Kind -EQ $Kind).Route | Should -Be $Route
        }

        It 'starts user-data with #cloud-config and autoinstall version 1' {
            $text = ($Files | Where-Object Kind -EQ 'UserData').Text
            $text | Should -BeLike "#cloud-config`n*"
            $text | Should -Match "(?m)^autoinstall:\n  version: 1$"
        }

        It 'gives meta-data an instance-id' {
            ($Files | Where-Object Kind -EQ 'MetaData').Text | Should -Match '(?m)^instance-id: nf-node01$'
        }

        It 'puts the hash read from the environment into the kickstart, crypted' {
            ($Files | Where-Object Kind -EQ 'Kickstart').Text | Should -Match ([regex]::Escape("--iscrypted --password=$Hash"))
        }
    }

    Context 'a password hash that cannot be read' {
        BeforeAll {
            Remove-Item Env:NF_PESTER_OPS_HASH
            $script:Out = Join-Path $TestDrive 'nohash'
            $script:File = New-NfAnswerFile $Fleet -Name node02 -OutputPath $Out -ErrorAction SilentlyContinue -ErrorVariable problems
            $script:Problems = $problems
        }

        AfterAll {
            $env:NF_PESTER_OPS_HASH = $Hash
        }

        It 'returns the kickstart with the password locked and an NF-SECRET finding' {
            $File.IsValid | Should -BeFalse
            $File.Findings.Code | Should -Contain 'NF-SECRET'
            $File.Text | Should -Match 'user --name=ops --groups=wheel --lock'
        }

        It 'writes NfAnswerFileLintFailed and no file' {
            $Problems[0].FullyQualifiedErrorId | Should -Be 'NfAnswerFileLintFailed,NodeFoundry.PowerShell.Commands.NewNfAnswerFileCommand'
            Test-Path $Out | Should -BeFalse
        }

        It 'writes the file anyway with -Force' {
            $forced = New-NfAnswerFile $Fleet -Name node02 -OutputPath $Out -Force -ErrorAction SilentlyContinue
            Test-Path $forced.Path | Should -BeTrue
        }
    }

    Context 'tab completion' {
        It 'completes -Name from the -FleetPath on the command line' {
            $line = "New-NfAnswerFile -FleetPath '$Fleet' -Name node"
            $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $completion.CompletionMatches.CompletionText | Should -Be @('node01', 'node02', 'node03', 'node04')
        }
    }

    Context '-Kind and -OutputPath' {
        It 'renders only the kinds asked for' {
            (New-NfAnswerFile $Fleet -Kind MetaData).Kind | Should -Be 'MetaData'
        }

        It 'writes the seed under nocloud/<mac>/ with hyphens for colons' {
            $out = Join-Path $TestDrive 'http'
            $files = New-NfAnswerFile $Fleet -Name node01 -OutputPath $out
            $files | ForEach-Object { Test-Path $_.Path | Should -BeTrue }
            Join-Path $out 'nocloud' '52-54-00-00-00-01' 'meta-data' | Should -Exist
        }

        It 'writes nothing with -WhatIf' {
            $out = Join-Path $TestDrive 'whatif'
            New-NfAnswerFile $Fleet -OutputPath $out -WhatIf | Should -HaveCount 6
            Test-Path $out | Should -BeFalse
        }
    }
}
