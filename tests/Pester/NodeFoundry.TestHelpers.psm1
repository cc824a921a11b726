# Helpers shared by the NodeFoundry Pester suites. Loopback only, high ports, bounded waits.
Set-StrictMode -Version Latest

function Get-NfTestModulePath {
    <# The module under test: $env:NF_MODULE_PATH, else the packaged layout, else the build output. #>
    if ($env:NF_MODULE_PATH) { return $env:NF_MODULE_PATH }
    $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    # XPath, not member access: under this module's StrictMode, .PropertyGroup.VersionPrefix is fragile once a second
    # PropertyGroup without a VersionPrefix appears.
    $versionNode = ([xml](Get-Content (Join-Path $root 'Directory.Build.props') -Raw)).SelectSingleNode('/Project/PropertyGroup/VersionPrefix')
    $version = if ($versionNode) { $versionNode.InnerText } else { '' }
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
    <#
    A UDP (or, with -Tcp, TCP) port on 127.0.0.1 that is free right now (in the high range, no privileges needed).
    With -Count, that many distinct ports (held together while chosen: two calls in a row may get the same port back,
    which two engines of one stack cannot share): $dhcp, $tftp = Get-NfTestFreePort -Count 2.
    #>
    param([switch] $Tcp, [ValidateRange(1, 16)][int] $Count = 1)
    $sockets = [System.Collections.Generic.List[System.Net.Sockets.Socket]]::new()
    try {
        for ($i = 0; $i -lt $Count; $i++) {
            $socket = New-NfTestSocket -Tcp:$Tcp
            $sockets.Add($socket)
            $socket.Bind([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
        }
        return $sockets | ForEach-Object { $_.LocalEndPoint.Port }
    }
    finally {
        foreach ($socket in $sockets) { $socket.Dispose() }
    }
}

function New-NfTestSocket {
    <# An unbound IPv4 UDP socket, or TCP with -Tcp; exclusive on Windows, so a port held by a server cannot be shared. #>
    param([switch] $Tcp)
    $socket = if ($Tcp) { [System.Net.Sockets.Socket]::new('InterNetwork', 'Stream', 'Tcp') } else { [System.Net.Sockets.Socket]::new('InterNetwork', 'Dgram', 'Udp') }
    if ($IsWindows) { $socket.ExclusiveAddressUse = $true }
    return $socket
}

function New-NfTestFile {
    <# Writes $Length bytes of seeded noise to $Path (creating its folder) and returns them, for a server to serve. #>
    param(
        [Parameter(Mandatory)][string] $Path,
        [Parameter(Mandatory)][int] $Length,
        [int] $Seed = 1
    )
    $bytes = [byte[]]::new($Length)
    [System.Random]::new($Seed).NextBytes($bytes)
    $null = New-Item -ItemType Directory -Path (Split-Path -Parent $Path) -Force
    [System.IO.File]::WriteAllBytes($Path, $bytes)
    return , $bytes
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

function Invoke-NfTestTftpRead {
    <#
    Reads $FileName from the TFTP server on 127.0.0.1:$Port the plain RFC 1350 way (no options, so 512-byte blocks):
    RRQ to the request port, then DATA n from the server's transfer port answered by ACK n, until a block shorter
    than 512 bytes. Every wait is bounded: on a timeout it re-sends its last packet (the RRQ or the last ACK), at
    most $Retries times in a row. Returns the file's bytes; throws on a TFTP ERROR (message 'TFTP ERROR <code>: ...')
    or when the retries run out.
    #>
    param(
        [Parameter(Mandatory)][int] $Port,
        [Parameter(Mandatory)][string] $FileName,
        [int] $TimeoutMilliseconds = 2000,
        [int] $Retries = 3
    )
    $ascii = [System.Text.Encoding]::ASCII
    $client = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
    $client.Client.ReceiveTimeout = $TimeoutMilliseconds
    $content = [System.IO.MemoryStream]::new()
    try {
        [byte[]] $packetOut = @(0, 1) + $ascii.GetBytes($FileName) + @(0) + $ascii.GetBytes('octet') + @(0)   # RRQ
        $to = [System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, $Port)
        $expected = 1
        $timeouts = 0
        while ($true) {
            $null = $client.Send($packetOut, $packetOut.Length, $to)
            $from = [System.Net.IPEndPoint]::new([System.Net.IPAddress]::Any, 0)
            try {
                $packet = $client.Receive([ref] $from)
            }
            catch [System.Net.Sockets.SocketException] {
                if (++$timeouts -gt $Retries) { throw "TFTP read of '$FileName' from 127.0.0.1:$Port timed out waiting for block $expected." }
                continue
            }

            $opcode = $packet[0] * 256 + $packet[1]
            if ($opcode -eq 5) {
                $message = $ascii.GetString($packet, 4, [Math]::Max(0, $packet.Length - 5))
                throw "TFTP ERROR $($packet[2] * 256 + $packet[3]): $message"
            }
            if ($opcode -ne 3 -or $packet.Length -lt 4) { throw "TFTP read of '$FileName': unexpected packet (opcode $opcode)." }

            $block = $packet[2] * 256 + $packet[3]
            [byte[]] $packetOut = 0, 4, $packet[2], $packet[3]   # ACK of what arrived, duplicates included
            $to = $from                                          # the server's transfer port (its TID)
            if ($block -ne ($expected % 65536)) { continue }     # a duplicate: ACK it again, keep waiting

            $timeouts = 0
            $expected++
            $content.Write($packet, 4, $packet.Length - 4)
            if ($packet.Length - 4 -lt 512) {
                $null = $client.Send($packetOut, $packetOut.Length, $to)   # the final ACK completes the transfer
                return , $content.ToArray()
            }
        }
    }
    finally {
        $client.Dispose()
        $content.Dispose()
    }
}

function Wait-NfTestListening {
    <# True once the job's server has bound its socket (a Running job may not have yet); false on timeout or bind failure. #>
    param(
        [Parameter(Mandatory)] $Job,
        [int] $TimeoutSeconds = 10
    )
    try { return $Job.Service.WhenListening.Wait([TimeSpan]::FromSeconds($TimeoutSeconds)) }
    catch { return $false }
}

function Start-NfTestForegroundServer {
    <#
    Runs "$Command @Parameters -Wait" in a runspace of its own, the way a service manager runs it, and returns
    [pscustomobject]@{ PowerShell; Output }. Output collects what the cmdlet writes (enumerating it never blocks).
    Stop the server as Ctrl+C does with .PowerShell.Stop(), and dispose .PowerShell when done.
    #>
    param(
        [Parameter(Mandatory)][string] $Command,
        [Parameter(Mandatory)][hashtable] $Parameters
    )
    $ps = [powershell]::Create()
    $null = $ps.AddScript({
            param($ModulePath, $Command, $Parameters)
            Import-Module $ModulePath
            & $Command @Parameters -Wait
        }).AddParameters(@{ ModulePath = (Get-NfTestModulePath); Command = $Command; Parameters = $Parameters })
    $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
    $output.EnumeratorNeverBlocks = $true
    $null = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)
    return [pscustomobject]@{ PowerShell = $ps; Output = $output }
}

function Test-NfTestPortFree {
    <#
    True when the server has released 127.0.0.1:$Port. UDP: the port can be bound exclusively. TCP (-Tcp): nothing
    listens there any more (a connection is refused). A bind is no test for TCP: the connections the server closed
    linger in TIME_WAIT on its port, and an exclusive bind over them can fail on Windows although the listener is gone.
    #>
    param([Parameter(Mandatory)][int] $Port, [switch] $Tcp)
    if ($Tcp) {
        $client = [System.Net.Sockets.TcpClient]::new([System.Net.Sockets.AddressFamily]::InterNetwork)
        try {
            # Refused at once on Linux, after SYN retries (about 2 s) on Windows; a listener accepts at once.
            $connect = $client.ConnectAsync([System.Net.IPAddress]::Loopback, $Port)
            try { $connected = $connect.Wait(10000) }
            catch { return $true }
            return -not $connected -and $connect.IsFaulted
        }
        finally { $client.Dispose() }
    }

    $socket = New-NfTestSocket
    try {
        $socket.Bind([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, $Port))
        return $true
    }
    catch [System.Net.Sockets.SocketException] {
        return $false
    }
    finally { $socket.Dispose() }
}

Export-ModuleMember -Function *-NfTest*
