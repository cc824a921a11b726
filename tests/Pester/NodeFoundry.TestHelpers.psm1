# Helpers shared by the NodeFoundry Pester suites. Loopback only, high ports, bounded waits.
Set-StrictMode -Version Latest

function Get-NfTestModulePath {
    <# The module under test: $env:NF_MODULE_PATH, else the packaged layout, else the build output. #>
    if ($env:NF_MODULE_PATH) { return $env:NF_MODULE_PATH }
    $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $version = ([xml](Get-Content (Join-Path $root 'Directory.Build.props') -Raw)).Project.PropertyGroup.VersionPrefix |
        Where-Object { $_ } | Select-Object -First 1
    $candidates = @(
        (Join-Path $root "out/NodeFoundry/$version/NodeFoundry.psd1")
        (Join-Path $root 'src/NodeFoundry.PowerShell/bin/Release/net8.0/NodeFoundry.psd1')
        (Join-Path $root 'src/NodeFoundry.PowerShell/bin/Debug/net8.0/NodeFoundry.psd1')
    )
    $found = $candidates | Where-Object { Test-Path $_ } | Select-Object -First 1
    if (-not $found) { throw "NodeFoundry module not found; run ./build.ps1 -Task Package first. Looked in: $($candidates -join ', ')" }
    return $found
}

function Get-NfTestFreePort {
    <# A UDP port on 127.0.0.1 that is free right now (in the high range, no privileges needed). #>
    $probe = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
    try { return $probe.Client.LocalEndPoint.Port } finally { $probe.Dispose() }
}

function Wait-NfTestCondition {
    <# Polls $Condition until it returns a truthy value or $TimeoutSeconds pass; returns the last value. #>
    param(
        [Parameter(Mandatory)][scriptblock] $Condition,
        [int] $TimeoutSeconds = 10
    )
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    do {
        $value = & $Condition
        if ($value) { return $value }
        Start-Sleep -Milliseconds 100
    } while ([DateTime]::UtcNow -lt $deadline)
    return $value
}

function New-NfTestProbe {
    <#
    The engine's own DHCP client (NodeFoundry.Probe.DhcpProbeClient) on an ephemeral 127.0.0.1 port. It talks to
    the server as a relay agent would (giaddr = 127.0.0.1), so start the server with -RelayPort $probe.LocalEndPoint.Port:
    replies then come back to it unicast, with no broadcasts, raw sockets or root. Dispose it when done.
    Needs the NodeFoundry module imported (the type lives in NodeFoundry.Engine.dll).
    #>
    param(
        [Parameter(Mandatory)][int] $ServerPort,
        [int] $TimeoutMilliseconds = 4000
    )
    $server = [System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, $ServerPort)
    $probe = [NodeFoundry.Probe.DhcpProbeClient]::new($server, [System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
    # Timeout is an init-only property; PowerShell 7 sets it like any other (PowerShell/PowerShell#13819).
    $probe.Timeout = [TimeSpan]::FromMilliseconds($TimeoutMilliseconds)
    return $probe
}

function Invoke-NfTestProbe {
    <#
    Asks the server as BIOS PXE firmware would (option 93 = 0) with $MacAddress: DISCOVER and, with -CompleteLease,
    REQUEST of the offered address. Returns the engine's DhcpProbeResult (Answered, OfferedAddress,
    ServerIdentifier, NextServer, BootFile, Acknowledged, Failure).
    #>
    param(
        [Parameter(Mandatory)] $Probe,
        [Parameter(Mandatory)][string] $MacAddress,
        [switch] $CompleteLease
    )
    $mac = [System.Net.NetworkInformation.PhysicalAddress]::Parse($MacAddress)
    $request = [NodeFoundry.Probe.DhcpProbeRequest]::new($mac, [uint16]0, $false)
    $request.CompleteLease = $CompleteLease.IsPresent   # init-only, as Timeout above
    return $Probe.Probe($request)
}

function Wait-NfTestListening {
    <# True once the job's DhcpServer has bound its socket (a Running job may not have yet); false on timeout or bind failure. #>
    param(
        [Parameter(Mandatory)] $Job,
        [int] $TimeoutSeconds = 10
    )
    try { return $Job.Service.WhenListening.Wait([TimeSpan]::FromSeconds($TimeoutSeconds)) }
    catch { return $false }
}

function Test-NfTestPortFree {
    <# True when 127.0.0.1:$Port can be bound exclusively, i.e. the server has released it. #>
    param([Parameter(Mandatory)][int] $Port)
    try {
        $socket = [System.Net.Sockets.Socket]::new('InterNetwork', 'Dgram', 'Udp')
        if ($IsWindows) { $socket.ExclusiveAddressUse = $true }
        $socket.Bind([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, $Port))
        $socket.Dispose()
        return $true
    }
    catch [System.Net.Sockets.SocketException] {
        return $false
    }
}

Export-ModuleMember -Function *-NfTest*
