/* Only the PKCS#11 entry points leave the module. */
{
	global:
		C_*;
	local:
		*;
};
