#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, documents and packages the NodeFoundry PowerShell module.
.DESCRIPTION
    One task per step, run in the order given:
      Build    dotnet build of the solution (warnings are errors).
      Test     xunit module-surface tests, then the Pester suites in tests/Pester (Pester 5, when installed)
               against the packaged module.
      Docs     renders en-US (MAML + about topic) from docs/*.md with the repository's tested generator;
               when PlatyPS is installed, also checks that PlatyPS accepts docs/*.md.
      Package  lays out out/NodeFoundry/<version>/ so that Import-Module out/NodeFoundry/<version>/NodeFoundry.psd1
               (or a PSModulePath entry pointing at out/) loads it; YamlDotNet and the adapters in its
               Dependencies/ folder (docs/module-layout.md).
    The version is Directory.Build.props' VersionPrefix, the one place it lives.
.EXAMPLE
    ./build.ps1                          # Build, Docs, Package, Test
.EXAMPLE
    ./build.ps1 -Task Package -Configuration Release
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Docs', 'Package')]
    [string[]] $Task = @('Build', 'Docs', 'Package', 'Test'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$root = $PSScriptRoot
# XPath, not member access: under StrictMode, .PropertyGroup.VersionPrefix is fragile once a second PropertyGroup
# (a conditional one, say) without a VersionPrefix appears; an empty version would package into out/NodeFoundry itself.
$versionNode = ([xml](Get-Content (Join-Path $root 'Directory.Build.props') -Raw)).SelectSingleNode('/Project/PropertyGroup/VersionPrefix')
$version = if ($versionNode) { $versionNode.InnerText } else { '' }
if (-not $version) { throw "No VersionPrefix in $(Join-Path $root 'Directory.Build.props')." }
$moduleProject = Join-Path $root 'src/NodeFoundry.PowerShell/NodeFoundry.PowerShell.csproj'
$moduleTests = Join-Path $root 'tests/NodeFoundry.Module.Tests'
$packageDir = Join-Path $root "out/NodeFoundry/$version"

function Invoke-Native {
    # No param block on purpose: switches such as -c and -NoProfile pass through to the native command.
    $command, $arguments = $args
    Write-Host "> $command $($arguments -join ' ')" -ForegroundColor DarkGray
    & $command @arguments
    if ($LASTEXITCODE -ne 0) { throw "$command exited with $LASTEXITCODE" }
}

function Invoke-Build {
    Invoke-Native dotnet build (Join-Path $root 'NodeFoundry.slnx') -c $Configuration
}

function Invoke-Docs {
    # The generator lives in the module tests (it is tested there); NF_UPDATE_HELP=1 makes it write en-US.
    $env:NF_UPDATE_HELP = '1'
    try {
        Invoke-Native dotnet test $moduleTests -c $Configuration --filter 'FullyQualifiedName~HelpFilesTests' -v q
    }
    finally {
        Remove-Item Env:NF_UPDATE_HELP
    }

    if (Get-Module -ListAvailable -Name platyPS) {
        Import-Module platyPS
        $check = Join-Path ([System.IO.Path]::GetTempPath()) "nodefoundry-platyps-$PID"
        try {
            # Cmdlet pages only: docs/ also holds reference pages (fleet-file.md) that are not PlatyPS help.
            $pages = Get-ChildItem (Join-Path $root 'docs') -Filter '*.md' | Where-Object { (Get-Content $_.FullName -TotalCount 5) -match '^external help file:' }
            New-ExternalHelp -Path $pages.FullName -OutputPath $check -Force | Out-Null
            Write-Host "PlatyPS accepts docs/ (its MAML is in $check for comparison; en-US stays the generator's)."
        }
        catch {
            throw "PlatyPS rejected docs/: $_"
        }
    }
    else {
        Write-Host 'PlatyPS not installed; en-US rendered by the repository generator only.'
    }
}

function Invoke-Package {
    $publish = Join-Path $root "out/publish"
    # Fresh each time: a stale dll from an older layout must not reach the package.
    if (Test-Path $publish) { Remove-Item $publish -Recurse -Force }
    Invoke-Native dotnet publish $moduleProject -c $Configuration -o $publish --no-self-contained
    if (Test-Path $packageDir) { Remove-Item $packageDir -Recurse -Force }
    New-Item -ItemType Directory -Path $packageDir | Out-Null

    # PowerShell itself provides System.Management.Automation; the reference assembly must not ship.
    $exclude = @('System.Management.Automation.dll', '*.deps.json', '*.xml')
    Get-ChildItem $publish -File -Filter *.dll | Where-Object { $name = $_.Name; -not ($exclude | Where-Object { $name -like $_ }) } |
        Copy-Item -Destination $packageDir
    Get-ChildItem $publish -File -Filter *.pdb | Copy-Item -Destination $packageDir

    # Adapters and third-party assemblies (YamlDotNet) stay in Dependencies/, loaded only by the engine's private
    # AssemblyLoadContext, never beside the module dll (docs/module-layout.md).
    $dependencies = Join-Path $packageDir 'Dependencies'
    New-Item -ItemType Directory -Path $dependencies | Out-Null
    Get-ChildItem (Join-Path $publish 'Dependencies') -File | Where-Object Extension -In '.dll', '.pdb' |
        Copy-Item -Destination $dependencies
    foreach ($required in 'Dependencies/NodeFoundry.Yaml.dll', 'Dependencies/YamlDotNet.dll') {
        if (-not (Test-Path (Join-Path $packageDir $required))) { throw "Package is missing $required" }
    }
    if (Test-Path (Join-Path $packageDir 'YamlDotNet.dll')) { throw 'YamlDotNet.dll must not sit beside the module dll' }
    Copy-Item (Join-Path $root 'src/NodeFoundry.PowerShell/NodeFoundry.psd1') $packageDir
    Copy-Item (Join-Path $root 'src/NodeFoundry.PowerShell/NodeFoundry.format.ps1xml') $packageDir
    Copy-Item (Join-Path $root 'en-US') -Destination (Join-Path $packageDir 'en-US') -Recurse

    $manifest = Test-ModuleManifest (Join-Path $packageDir 'NodeFoundry.psd1')
    if ($manifest.Version -ne [version]$version) { throw "Manifest version $($manifest.Version) is not $version" }
    Write-Host "Packaged NodeFoundry $version in $packageDir"
}

function Invoke-Test {
    Invoke-Native dotnet test $moduleTests -c $Configuration -v q

    $pester = Get-Module -ListAvailable -Name Pester | Where-Object Version -GE ([version]'5.5.0') | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $pester) {
        Write-Warning 'Pester 5.5+ is not installed (Install-Module Pester -MinimumVersion 5.5.0); Pester suites skipped.'
        return
    }
    # The Pester suites test the package: a package left from an earlier run would hide what changed since.
    if ($Task -notcontains 'Package' -or -not (Test-Path (Join-Path $packageDir 'NodeFoundry.psd1'))) { Invoke-Package }

    # A child pwsh, so the binary module under test is not locked into this session.
    # Paths go into single-quoted literals: a quote in them (C:\Users\O'Brien) is doubled.
    $modulePath = (Join-Path $packageDir 'NodeFoundry.psd1') -replace "'", "''"
    $pesterPath = (Join-Path $root 'tests/Pester') -replace "'", "''"
    $script = "Import-Module Pester -RequiredVersion $($pester.Version); `$env:NF_MODULE_PATH = '$modulePath'; " +
        "Invoke-Pester -Path '$pesterPath' -CI"
    Invoke-Native (Get-Process -Id $PID).Path -NoProfile -NonInteractive -Command $script
}

foreach ($step in $Task) {
    Write-Host "=== $step" -ForegroundColor Cyan
    & "Invoke-$step"
}
