#!/usr/bin/env bash
# The Windows installer under Wine: a silent install puts the module, the virtual
# token (kaztoken-sim.exe), its sample configuration, headers and guides in the folder and registers the module with
# Firefox (its SecurityDevices policy); a silent uninstall takes all of it away
# again (all but the uninstaller itself, which runs in place here and so cannot
# delete its own file).
#   installer_flows.sh WINE INSTALLER
set -euo pipefail
wine=$1 installer=$2
[ -f "$installer" ] || { echo "not ok - no installer at $installer (build the 'installer' target)"; exit 1; }
export WINEDEBUG=${WINEDEBUG:--all}
dir='C:\KAZTOKEN-installer-test'
unix=$(winepath -u "$dir" | tr -d '\r')
policy='HKLM\Software\Policies\Mozilla\Firefox\SecurityDevices\Add'
rm -rf "$unix"

"$wine" "$installer" /S "/D=$dir"
wineserver -w
for f in libkaztoken-pkcs11.dll kaztoken-sim.exe kaztoken.conf user-guide.md platforms.md include/kaztoken/pkcs11.h Uninstall.exe; do
	[ -f "$unix/$f" ] || { echo "not ok - $f was not installed"; exit 1; }
done
echo "ok - the silent install put the module, the virtual token, its configuration, headers and guides in $dir"
cmp "$unix/libkaztoken-pkcs11.dll" "$(dirname "$installer")/libkaztoken-pkcs11.dll"
echo "ok - the installed module is the one built"
"$wine" reg query "$policy" /v KAZTOKEN | tr -d '\r' | tee /dev/stderr | grep -qF 'KAZTOKEN-installer-test\libkaztoken-pkcs11.dll'
echo "ok - Firefox's SecurityDevices policy names the module"

# (_?= runs the uninstaller in place, so it finishes before this goes on)
"$wine" "$dir\\Uninstall.exe" /S "_?=$dir"
wineserver -w
left=$(cd "$unix" 2>/dev/null && find . -type f ! -name Uninstall.exe || true)
[ -z "$left" ] || { echo "not ok - left after uninstalling: $left"; exit 1; }
if "$wine" reg query "$policy" /v KAZTOKEN >/dev/null 2>&1; then
	echo "not ok - the Firefox policy is still there"
	exit 1
fi
rm -rf "$unix"
echo "ok - the silent uninstall took the files and the policy away"
