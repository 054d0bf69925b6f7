; The KAZTOKEN PKCS#11 installer for 64-bit Windows (makensis; built by the
; `installer` target of a Windows build, tools/windows/installer.cmake).
; Installs the module, the virtual token (kaztoken-sim.exe), a sample
; configuration, the headers and the guides in
; C:\Program Files\KAZTOKEN, registers the module with Firefox through its
; enterprise policy, and takes all of it away on uninstall.
; /S installs silently; /D=DIR chooses the folder.
;   makensis -DVERSION=x.y.z -DBUILD=<build dir> -DSRC=<source dir> -DOUT=<file.exe>
Unicode true
Target amd64-unicode
!include "x64.nsh"

Name "KAZTOKEN PKCS#11 ${VERSION}"
OutFile "${OUT}"
InstallDir "$PROGRAMFILES64\KAZTOKEN"
RequestExecutionLevel admin
SetCompressor /SOLID lzma
LicenseData "${SRC}\LICENSE"
Page license
Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

!define POLICY "Software\Policies\Mozilla\Firefox\SecurityDevices\Add"
!define UNINST "Software\Microsoft\Windows\CurrentVersion\Uninstall\KAZTOKEN"

Section "KAZTOKEN PKCS#11"
	SetRegView 64
	SetOutPath "$INSTDIR"
	File "${BUILD}\libkaztoken-pkcs11.dll"
	File "${BUILD}\kaztoken-sim.exe"
	File "${SRC}\tools\packaging\kaztoken.conf"
	File "${SRC}\LICENSE"
	File "${SRC}\docs\user-guide.md"
	File "${SRC}\docs\user-guide.ru.md"
	File "${SRC}\docs\user-guide.kk.md"
	File "${SRC}\docs\configuration.md"
	File "${SRC}\docs\platforms.md"
	SetOutPath "$INSTDIR\include\kaztoken"
	File "${SRC}\include\kaztoken\pkcs11.h"
	File "${SRC}\include\kaztoken\vendor.h"
	WriteUninstaller "$INSTDIR\Uninstall.exe"
	; Firefox loads the module with no setup (its SecurityDevices policy, the
	; "Add" form of Firefox 114 and later; the older flat form is deprecated)
	WriteRegStr HKLM "${POLICY}" "KAZTOKEN" "$INSTDIR\libkaztoken-pkcs11.dll"
	WriteRegStr HKLM "${UNINST}" "DisplayName" "KAZTOKEN PKCS#11"
	WriteRegStr HKLM "${UNINST}" "DisplayVersion" "${VERSION}"
	WriteRegStr HKLM "${UNINST}" "Publisher" "The KAZTOKEN PKCS#11 authors"
	WriteRegStr HKLM "${UNINST}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
	WriteRegStr HKLM "${UNINST}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /S'
SectionEnd

Section "Uninstall"
	SetRegView 64
	DeleteRegValue HKLM "${POLICY}" "KAZTOKEN"
	DeleteRegKey /ifempty HKLM "${POLICY}"
	DeleteRegKey /ifempty HKLM "Software\Policies\Mozilla\Firefox\SecurityDevices"
	DeleteRegKey HKLM "${UNINST}"
	Delete "$INSTDIR\libkaztoken-pkcs11.dll"
	Delete "$INSTDIR\kaztoken-sim.exe"
	Delete "$INSTDIR\kaztoken.conf"
	Delete "$INSTDIR\LICENSE"
	Delete "$INSTDIR\user-guide.md"
	Delete "$INSTDIR\user-guide.ru.md"
	Delete "$INSTDIR\user-guide.kk.md"
	Delete "$INSTDIR\configuration.md"
	Delete "$INSTDIR\platforms.md"
	Delete "$INSTDIR\include\kaztoken\pkcs11.h"
	Delete "$INSTDIR\include\kaztoken\vendor.h"
	RMDir "$INSTDIR\include\kaztoken"
	RMDir "$INSTDIR\include"
	Delete "$INSTDIR\Uninstall.exe"
	RMDir "$INSTDIR"
SectionEnd
