#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
<#
.SYNOPSIS
    Rack acceptance: gates a roll. Every node of the rack has a boot script and answer files that lint clean, and
    every boot-path check passes against the running boot server. Run it before powering the rack (and again after).
.EXAMPLE
    $container = New-PesterContainer -Path ./Rack.Acceptance.Tests.ps1 -Data @{
        FleetPath = '/etc/nodefoundry/fleet.yaml'; BootServer = '10.7.0.1'; Rack = 'r07-*' }
    $result = Invoke-Pester -Container $container -Output Detailed -PassThru
    if ($result.FailedCount -gt 0) { throw 'Rack acceptance failed; not rolling.' }
#>
param(
    # The fleet file the boot server serves.
    [Parameter(Mandatory)][string] $FleetPath,

    # The boot server's address (the fleet's server.address), for Test-NfBootPath.
    [Parameter(Mandatory)][string] $BootServer,

    # The rack's node names; wildcards allowed.
    [string[]] $Rack = @('*')
)

BeforeDiscovery {
    # Discovery needs the node list to make one Describe per node; plain hashtables keep '<Name>' in the titles.
    Import-Module NodeFoundry
    $Nodes = @(Import-NfFleet -Path $FleetPath -Name $Rack -ErrorAction Stop | ForEach-Object {
            @{ Name = $_.Name; MacAddress = $_.MacAddress.ToString(); Profile = $_.Profile }
        })
}

BeforeAll {
    Import-Module NodeFoundry
    # One boot-path run for the whole file: each check has Stage, Target, Passed and Detail.
    $script:Checks = @(Test-NfBootPath -Server $BootServer -FleetPath $FleetPath)
}

Describe "Rack $($Rack -join ', ') from $FleetPath" {
    It 'has nodes to roll' {
        @(Import-NfFleet -Path $FleetPath -Name $Rack) | Should -Not -BeNullOrEmpty
    }

    It 'ran boot-path checks against the boot server' {
        $Checks | Should -Not -BeNullOrEmpty
    }

    It 'passes every boot-path check' {
        $failed = @($Checks | Where-Object { -not $_.Passed } | ForEach-Object { "$($_.Stage) $($_.Target): $($_.Detail)" })
        $failed | Should -BeNullOrEmpty -Because "these checks failed:`n$($failed -join "`n")"
    }
}

Describe 'Node <Name> (<Profile>)' -ForEach $Nodes {
    It 'has an iPXE script that lints clean' {
        $bootScript = New-NfBootScript -FleetPath $FleetPath -Name $Name -ErrorAction Stop
        $bootScript.IsValid | Should -BeTrue -Because ($bootScript.Findings | Out-String)
    }

    It 'has answer files that lint clean (none for a boot-from-disk profile)' {
        foreach ($file in @(New-NfAnswerFile -FleetPath $FleetPath -Name $Name -ErrorAction SilentlyContinue -ErrorVariable problems)) {
            $file.IsValid | Should -BeTrue -Because "$($file.Kind): $($file.Findings | Out-String)"
        }
        $problems | Should -BeNullOrEmpty
    }
}
