#Requires -Version 7.4
# Pester 5. Loopback only (127.0.0.1, high ports, no root); every wait is bounded. Test-NfBootPath probes a
# Start-NfBootStack job relay style: the stack answers giaddr 127.0.0.1 on -RelayPort, the port Test-NfBootPath
# listens on (-RelayPort), as in Start-NfBootStack.Tests.ps1. The fixture fleet is copied to $TestDrive with its
# HTTP port filled in; stand-in loaders, kernel and initrd are written beside it. BootPathPesterAssumptionTests
# (tests/NodeFoundry.Module.Tests) checks the same setup without PowerShell.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NodeFoundry.TestHelpers.psm1') -Force
    Import-Module (Get-NfTestModulePath) -Force

    $script:DhcpPort = Get-NfTestFreePort
    $script:TftpPort = Get-NfTestFreePort
    $script:RelayPort = Get-NfTestFreePort
    $script:HttpPort = Get-NfTestFreePort -Tcp
    $script:Fleet = Join-Path $TestDrive 'fleet.yaml'
    $yaml = (Get-Content -LiteralPath (Join-Path $PSScriptRoot 'fixtures/bootpath-fleet.yaml') -Raw) -replace 'HTTP_PORT', $HttpPort
    Set-Content -LiteralPath $Fleet -Value $yaml -NoNewline
    foreach ($loader in 'undionly.kpxe', 'ipxe.efi', 'ipxe-arm64.efi') {
        $null = New-NfTestFile -Path (Join-Path $TestDrive "tftp/$loader") -Length 6000 -Seed 1
    }
    $null = New-NfTestFile -Path (Join-Path $TestDrive 'http/ipxe.efi') -Length 6000 -Seed 2
    $null = New-NfTestFile -Path (Join-Path $TestDrive 'http/debian/linux') -Length 6000 -Seed 3
    $null = New-NfTestFile -Path (Join-Path $TestDrive 'http/debian/initrd.gz') -Length 6000 -Seed 4

    $script:Job = Start-NfBootStack -FleetFile $Fleet -ListenAddress 127.0.0.1 -DhcpPort $DhcpPort -TftpPort $TftpPort `
        -HttpPort $HttpPort -RelayPort $RelayPort -JournalPath (Join-Path $TestDrive 'leases.journal') `
        -Name "nf-pester-bootpath-$DhcpPort" -WarningAction SilentlyContinue
    $script:Probe = @{
        Server         = "127.0.0.1:$DhcpPort"
        RelayPort      = $RelayPort
        TftpPort       = $TftpPort
        FleetPath      = $Fleet
        MacAddress     = '52:54:00:00:00:01'
        OfferWindowSec = 2
        TimeoutSec     = 20
    }
}

AfterAll {
    if ($Job) { $Job | Remove-Job -Force -ErrorAction SilentlyContinue }
    Get-Job | Where-Object PSJobTypeName -EQ 'NodeFoundryJob' | Remove-Job -Force
    Remove-Module NodeFoundry -ErrorAction SilentlyContinue
}

Describe 'Test-NfBootPath against a boot stack on loopback' {
    It 'has a listening stack to test' {
        Wait-NfTestListening -Job $Job | Should -BeTrue -Because "the stack should have bound its ports ($($Job.Error | Out-String))"
    }

    It 'passes every check, in the acceptance order, as BootPathCheck objects' {
        $checks = @(Test-NfBootPath @Probe)
        $checks | Should -Not -BeNullOrEmpty
        $checks | ForEach-Object { $_ | Should -BeOfType ([NodeFoundry.BootPath.BootPathCheck]) }
        $failed = @($checks | Where-Object { -not $_.Passed })
        $failed | Should -BeNullOrEmpty -Because ($failed | Out-String)

        $stages = @($checks.Stage | ForEach-Object { "$_" } | Select-Object -Unique)
        $stages | Should -Be @('Dhcp', 'Tftp', 'Http', 'AnswerFile')
        ($checks | Where-Object Target -EQ 'DHCP servers').Detail | Should -Be 'one DHCP server: 127.0.0.1'
        @($checks | Where-Object Stage -EQ 'Tftp').Count | Should -Be 3
        @($checks | Where-Object Target -Like 'script http://127.0.0.1:*/boot/52:54:00:00:00:01.ipxe').Count | Should -Be 1
        @($checks | Where-Object Target -Like 'preseed*').Count | Should -Be 2
    }

    It 'answers -Quiet with a single $true' {
        $result = @(Test-NfBootPath @Probe -Architecture 0 -Quiet)
        $result.Count | Should -Be 1
        $result[0] | Should -BeOfType ([bool])
        $result[0] | Should -BeTrue
    }

    It 'binds -FleetPath and -MacAddress from piped fleet nodes' {
        $fromPipeline = $Probe.Clone()
        $fromPipeline.Remove('FleetPath')
        $fromPipeline.Remove('MacAddress')
        $checks = @(Import-NfFleet -Path $Fleet | Test-NfBootPath @fromPipeline -Architecture 0)
        @($checks | Where-Object { -not $_.Passed }) | Should -BeNullOrEmpty
        @($checks | Where-Object Target -Like 'script */boot/52:54:00:00:00:01.ipxe').Count | Should -Be 1
    }

    It 'names the cause when a loader is missing from the TFTP root, and -Quiet says $false' {
        Remove-Item -LiteralPath (Join-Path $TestDrive 'tftp/ipxe-arm64.efi')
        $checks = @(Test-NfBootPath @Probe -Architecture 11)
        $missing = $checks | Where-Object Target -EQ 'tftp://127.0.0.1/ipxe-arm64.efi'
        $missing.Passed | Should -BeFalse
        "$($missing.Cause)" | Should -Be 'TftpFileNotFound'
        $missing.Detail | Should -BeLike 'file not found in the TFTP root:*'
        Test-NfBootPath @Probe -Architecture 11 -Quiet | Should -BeFalse
    }

    It 'writes NfBootPathServerInvalid for a -Server that is not an address' {
        $result = Test-NfBootPath -Server 'not-an-address' -ErrorVariable problems -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'NfBootPathServerInvalid,*'
    }
}
