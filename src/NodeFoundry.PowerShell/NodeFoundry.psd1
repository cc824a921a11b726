# Module manifest for NodeFoundry. ModuleVersion must equal Directory.Build.props' VersionPrefix
# and CmdletsToExport must list exactly the compiled cmdlets (tests/NodeFoundry.Module.Tests checks both).
@{
    RootModule           = 'NodeFoundry.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '59e43f08-c4fd-4df4-b80d-4c77b3c58ffc'
    Author               = 'NodeFoundry'
    CompanyName          = 'NodeFoundry'
    Copyright            = '(c) NodeFoundry contributors.'
    Description          = 'Bare-metal provisioning at fleet scale: DHCP, TFTP and HTTP boot servers that run as PowerShell jobs, driven by a fleet file.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('NodeFoundry.format.ps1xml')
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'Get-NfBootTimeline'
        'Get-NfLease'
        'Get-NfNodeInventory'
        'Import-NfFleet'
        'Invoke-NfBootStorm'
        'Invoke-NfPowerCycle'
        'New-NfAnswerFile'
        'New-NfBootScript'
        'Start-NfBootStack'
        'Start-NfDhcpServer'
        'Start-NfHttpServer'
        'Start-NfTftpServer'
        'Test-NfBootPath'
        'Wait-NfNode'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('PXE', 'DHCP', 'TFTP', 'iPXE', 'BareMetal', 'Provisioning', 'Linux', 'Windows')
            ProjectUri = 'https://github.com/nodefoundry/nodefoundry'
        }
    }
}
