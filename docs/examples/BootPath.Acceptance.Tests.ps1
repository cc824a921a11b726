#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }, NodeFoundry
# Example acceptance gate: run it before a fleet roll (power-cycling racks into network boot) and roll only if it
# passes. It tests the boot path of each selected node the way its firmware and iPXE will walk it (docs/boot-path.md):
#
#   $data = @{ FleetPath = './fleet.yaml'; Server = '192.0.2.1'; Node = 'r12-*' }
#   $result = Invoke-Pester -Container (New-PesterContainer -Path ./BootPath.Acceptance.Tests.ps1 -Data $data) -Output Detailed -PassThru
#   if ($result.FailedCount -gt 0) { throw 'boot path not ready: no roll' }
#
# -Server probes relay style (port 67: run as root, or from a host the relay path reaches); -Interface broadcasts on
# the provisioning VLAN as firmware does (root, Linux). Each node takes about -OfferWindowSec plus the downloads, so
# select a sample of a large fleet (one node per rack and profile) with -Node.
param(
    [Parameter(Mandatory)][string] $FleetPath,
    [string[]] $Server,
    [string] $Interface,
    [string[]] $Node = @('*')
)

BeforeDiscovery {
    $nodes = @(Import-NfFleet -Path $FleetPath | Where-Object { $name = $_.Name; @($Node | Where-Object { $name -like $_ }).Count -gt 0 })
}

Describe 'Boot path of <_.Name> (<_.Profile>)' -ForEach $nodes {
    BeforeAll {
        $where = if ($Interface) { @{ Interface = $Interface } } else { @{ Server = $Server } }
        $Checks = @($_ | Test-NfBootPath @where)   # Describe scope: each node's Its see its own checks

        function Assert-Stage([string] $Stage) {
            $failed = @($Checks | Where-Object { "$($_.Stage)" -eq $Stage -and -not $_.Passed })
            $failed | Should -BeNullOrEmpty -Because ($failed | Format-Table Target, Cause, Detail -AutoSize -Wrap | Out-String)
        }
    }

    It 'DHCP: one server answers, with the right NBP for every firmware, and breaks the iPXE loop' {
        @($Checks | Where-Object Stage -EQ 'Dhcp').Count | Should -BeGreaterThan 0
        Assert-Stage 'Dhcp'
    }

    It 'TFTP: every offered NBP downloads as a PXE ROM fetches it' {
        Assert-Stage 'Tftp'
    }

    It 'HTTP: the iPXE script, kernel, initrd and chain targets resolve' {
        Assert-Stage 'Http'
    }

    It 'Answer files: present and well formed (NoCloud, kickstart or preseed)' {
        Assert-Stage 'AnswerFile'
    }
}
