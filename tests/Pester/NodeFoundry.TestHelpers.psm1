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

function New-NfTestDhcpPacket {
    <#
    A minimal BOOTREQUEST (RFC 2131 §2) from a BIOS PXE client (option 93 = 0):
    DISCOVER (type 1), or REQUEST (type 3) in SELECTING state with options 50 and 54.
    #>
    param(
        [Parameter(Mandatory)][string] $MacAddress,
        [ValidateSet('Discover', 'Request')][string] $Type = 'Discover',
        [uint32] $TransactionId = 0x4E460001,
        [ipaddress] $RequestedAddress,
        [ipaddress] $ServerIdentifier
    )
    $mac = [System.Net.NetworkInformation.PhysicalAddress]::Parse($MacAddress).GetAddressBytes()
    $packet = [System.Collections.Generic.List[byte]]::new()
    $packet.AddRange([byte[]](1, 1, 6, 0))                              # op BOOTREQUEST, htype Ethernet, hlen 6, hops 0
    $xid = [BitConverter]::GetBytes($TransactionId)
    if ([BitConverter]::IsLittleEndian) { [array]::Reverse($xid) }
    $packet.AddRange([byte[]]$xid)                                       # xid
    $packet.AddRange([byte[]](0, 4, 0x80, 0))                           # secs 4, flags: broadcast
    $packet.AddRange([byte[]]::new(16))                                  # ciaddr, yiaddr, siaddr, giaddr
    $packet.AddRange([byte[]]$mac)                                       # chaddr
    $packet.AddRange([byte[]]::new(10 + 64 + 128))                       # chaddr padding, sname, file
    $packet.AddRange([byte[]](99, 130, 83, 99))                         # magic cookie
    $packet.AddRange([byte[]](53, 1, $(if ($Type -eq 'Discover') { 1 } else { 3 })))   # option 53 message type
    $packet.AddRange([byte[]](61, 7, 1)); $packet.AddRange([byte[]]$mac) # option 61 client id: htype 1 + MAC
    $packet.AddRange([byte[]](93, 2, 0, 0))                             # option 93 client arch: 0 = BIOS
    $vendor = [System.Text.Encoding]::ASCII.GetBytes('PXEClient:Arch:00000:UNDI:002001')
    $packet.AddRange([byte[]](60, $vendor.Length)); $packet.AddRange($vendor)          # option 60 vendor class
    if ($RequestedAddress) { $packet.AddRange([byte[]](50, 4)); $packet.AddRange($RequestedAddress.GetAddressBytes()) }
    if ($ServerIdentifier) { $packet.AddRange([byte[]](54, 4)); $packet.AddRange($ServerIdentifier.GetAddressBytes()) }
    $packet.Add(255)                                                     # end
    return , $packet.ToArray()
}

function Send-NfTestDhcpPacket {
    <# Sends one datagram to 127.0.0.1:$Port from an ephemeral loopback port. #>
    param([Parameter(Mandatory)][int] $Port, [Parameter(Mandatory)][byte[]] $Packet)
    $client = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
    try { $null = $client.Send($Packet, $Packet.Length, [System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, $Port)) }
    finally { $client.Dispose() }
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
