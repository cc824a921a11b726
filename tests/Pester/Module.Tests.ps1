#Requires -Version 7.4
# Pester 5. The module as PowerShell loads it: the manifest's cmdlets are the ones that import, and every one of them
# has help with examples, a table view for each output type, and a Pester suite that runs it. A cmdlet added without
# those (by any branch) fails here by name. The metadata-level rules are also checked without PowerShell by
# tests/NodeFoundry.Module.Tests/Surface.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'NodeFoundry.TestHelpers.psm1') -Force
    $manifest = Import-PowerShellDataFile -Path (Get-NfTestModulePath)
    $Cmdlets = @($manifest.CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NodeFoundry.TestHelpers.psm1') -Force
    $script:ModulePath = Get-NfTestModulePath
    $script:Manifest = Import-PowerShellDataFile -Path $ModulePath
    Import-Module $ModulePath -Force
    # Every suite but this one: where a cmdlet must be run.
    $script:Suites = @(Get-ChildItem -Path $PSScriptRoot -Filter '*.Tests.ps1' | Where-Object Name -NE 'Module.Tests.ps1')
}

AfterAll {
    Remove-Module NodeFoundry -ErrorAction SilentlyContinue
}

Describe 'The NodeFoundry module' {
    It 'imports exactly the cmdlets its manifest lists, at the manifest version' {
        $module = Get-Module NodeFoundry
        $module.Version | Should -Be ([version]$Manifest.ModuleVersion)
        @($module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($Manifest.CmdletsToExport | Sort-Object)
        $module.ExportedFunctions.Count | Should -Be 0
    }

    It 'is a PowerShell 7.4+ Core module' {
        $Manifest.PowerShellVersion | Should -Be '7.4'
        $Manifest.CompatiblePSEditions | Should -Be @('Core')
    }
}

Describe '<Name>' -ForEach $Cmdlets {
    BeforeAll {
        $script:Command = Get-Command -Name $Name -Module NodeFoundry
    }

    It 'is a compiled cmdlet' {
        $Command.CommandType | Should -Be 'Cmdlet'
    }

    It 'is run by a Pester suite in tests/Pester' {
        $hits = @($Suites | Select-String -Pattern "(?<![\w-])$([regex]::Escape($Name))(?![\w-])" -List)
        $hits | Should -Not -BeNullOrEmpty -Because "every cmdlet needs a suite: add tests/Pester/$Name.Tests.ps1"
    }

    It 'has help with a synopsis and at least two examples' {
        $help = Get-Help -Name $Name -Full
        "$($help.Synopsis)".Trim() | Should -Not -BeNullOrEmpty
        "$($help.Synopsis)".Trim() | Should -Not -BeLike "$Name *"   # PowerShell's stand-in when no help is found
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
    }

    It 'declares NodeFoundry output types, each with a format view' {
        $types = @($Command.OutputType.Name | Sort-Object -Unique)
        $types | Should -Not -BeNullOrEmpty
        foreach ($type in $types) {
            $type | Should -BeLike 'NodeFoundry.*'
            Get-FormatData -TypeName $type | Should -Not -BeNullOrEmpty -Because "$type needs a view in NodeFoundry.format.ps1xml"
        }
    }
}
