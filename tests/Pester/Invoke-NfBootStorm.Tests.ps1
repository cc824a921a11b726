#Requires -Version 7.4
# Pester 5. Loopback only (127.0.0.1, high ports, no root); every wait is bounded. A boot stack started with
# Start-NfBootStack serves a fleet of 20 tiny nodes whose MACs are the simulator's first ones (02:4e:46:00:00:00 + i);
# Invoke-NfBootStorm boots them relay-style: its DHCP socket is the stack's -RelayPort, TFTP goes to -TftpPort.
# The engine side of the same storm is tests/NodeFoundry.Engine.Tests/Simulation/FleetSimulatorTests.cs.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NodeFoundry.TestHelpers.psm1') -Force
    Import-Module (Get-NfTestModulePath) -Force

    $script:NodeCount = 20
    $script:NbpBytes = 20000
    $script:KernelBytes = 300000
    $script:InitrdBytes = 700000
    $root = Join-Path $TestDrive 'storm'
    $null = New-NfTestFile -Path (Join-Path $root 'tftp/undionly.kpxe') -Length $NbpBytes -Seed 1
    $null = New-NfTestFile -Path (Join-Path $root 'http/tiny/vmlinuz') -Length $KernelBytes -Seed 2
    $null = New-NfTestFile -Path (Join-Path $root 'http/tiny/initrd') -Length $InitrdBytes -Seed 3

    $script:DhcpPort, $script:TftpPort, $script:ReplyPort = Get-NfTestFreePort -Count 3
    $script:HttpPort = Get-NfTestFreePort -Tcp
    $nodes = for ($i = 0; $i -lt $NodeCount; $i++) { '  - {{ name: storm{0:D3}, mac: "02:4e:46:00:00:{0:x2}", profile: tiny }}' -f $i }
    $script:Fleet = Join-Path $root 'storm.yaml'
    @"
version: 1
server:
  address: 127.0.0.1
  httpPort: $HttpPort
  tftpRoot: tftp
  httpRoot: http
  stateDirectory: state
dhcp:
  mode: authoritative
  scopes:
    - name: storm
      subnet: 127.0.0.0/24
      router: 127.0.0.1
      range: { start: 127.0.0.2, end: 127.0.0.9 }
      pxeRange: { start: 127.0.0.100, end: 127.0.0.199 }
      pxeLeaseTime: 5m
boot:
  loaders:
    bios: undionly.kpxe
  ipxeScriptUrl: "{http}boot/{mac}.ipxe"
profiles:
  tiny:
    os: custom
    kernel: tiny/vmlinuz
    initrd: tiny/initrd
    cmdline: "console=ttyS0"
nodes:
$($nodes -join "`n")
"@ | Set-Content -Path $Fleet -Encoding utf8NoBOM

    $script:Job = Start-NfBootStack -FleetFile $Fleet -ListenAddress 127.0.0.1 -DhcpPort $DhcpPort -TftpPort $TftpPort `
        -HttpPort $HttpPort -RelayPort $ReplyPort -JournalPath (Join-Path $root 'leases.journal') `
        -Name "nf-pester-storm-$DhcpPort" -WarningAction SilentlyContinue
    $script:Storm = @{
        Server       = [ipaddress]'127.0.0.1'
        RelayAddress = [ipaddress]'127.0.0.1'
        DhcpPort     = $DhcpPort
        ReplyPort    = $ReplyPort
        TftpPort     = $TftpPort
        TimeoutSec   = 120
        Confirm      = $false
    }
}

AfterAll {
    if ($Job) { $Job | Remove-Job -Force -ErrorAction SilentlyContinue }
    Remove-Module NodeFoundry -ErrorAction SilentlyContinue
}

Describe 'Invoke-NfBootStorm' {
    It 'finds the stack listening' {
        Wait-NfTestListening -Job $Job | Should -BeTrue -Because "the stack should have bound its ports ($($Job.Error | Out-String))"
    }

    It 'boots every node of the fleet through DHCP, TFTP, iPXE DHCP, script, kernel and initrd' {
        $report = Invoke-NfBootStorm @Storm -Nodes $NodeCount -WarningVariable warnings

        $report | Should -HaveCount 1
        $report | Should -BeOfType ([NodeFoundry.Simulation.StormReport])
        $report.Nodes | Should -Be $NodeCount
        $report.Booted | Should -Be $NodeCount -Because ($warnings | Out-String)
        $report.Failed | Should -Be 0
        $report.TimeToAllBooted | Should -Not -BeNullOrEmpty
        $report.NbpBytes | Should -Be ($NodeCount * $NbpBytes)
        $report.HttpBytes | Should -BeGreaterOrEqual ($NodeCount * ($KernelBytes + $InitrdBytes))
        $warnings | Should -BeNullOrEmpty
    }

    It 'is seen by the server: the nodes reach Initrd on the stack''s boot timeline' {
        $reached = @(Wait-NfNode -Job $Job -Stage Initrd -Count $NodeCount -TimeoutSec 30)
        $reached.Count | Should -BeGreaterOrEqual $NodeCount
        ($reached.NodeName | Where-Object { $_ -like 'storm*' }).Count | Should -Be $NodeCount
    }

    It 'writes every node''s result after the report with -PassThru' {
        $output = @(Invoke-NfBootStorm @Storm -Nodes 5 -PassThru)

        $output.Count | Should -Be 6
        $output[0] | Should -BeOfType ([NodeFoundry.Simulation.StormReport])
        $nodes = $output | Select-Object -Skip 1
        $nodes | ForEach-Object { $_ | Should -BeOfType ([NodeFoundry.Simulation.SimulatedNodeResult]) }
        $nodes | ForEach-Object { $_.Booted | Should -BeTrue }
        $nodes | ForEach-Object { $_.NbpBytes | Should -Be $NbpBytes }
    }

    It 'simulates nothing with -WhatIf' {
        Invoke-NfBootStorm -Server 127.0.0.1 -RelayAddress 127.0.0.1 -DhcpPort $DhcpPort -ReplyPort $ReplyPort -Nodes 3 -WhatIf |
            Should -BeNullOrEmpty
    }

    It 'fails with NfBootStormNotStarted when its relay port is taken' {
        $taken = New-NfTestSocket
        try {
            $taken.Bind([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
            $port = $taken.LocalEndPoint.Port
            { Invoke-NfBootStorm -Server 127.0.0.1 -RelayAddress 127.0.0.1 -DhcpPort $DhcpPort -ReplyPort $port -Nodes 1 -Confirm:$false } |
                Should -Throw -ErrorId 'NfBootStormNotStarted,NodeFoundry.PowerShell.Commands.InvokeNfBootStormCommand'
        }
        finally { $taken.Dispose() }
    }

    It 'binds -Nodes by position and refuses a node count of 0' {
        { Invoke-NfBootStorm 127.0.0.1 0 -RelayAddress 127.0.0.1 -WhatIf } | Should -Throw -ErrorId 'ParameterArgumentValidationError,NodeFoundry.PowerShell.Commands.InvokeNfBootStormCommand'
    }
}
