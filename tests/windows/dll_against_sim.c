/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* A Windows application of the module: loads libkaztoken-pkcs11.dll as
 * applications do (LoadLibrary, C_GetFunctionList / C_GetInterface), finds the
 * virtual token a kaztoken-sim on Linux serves over TCP (KAZTOKEN_SIM_SOCKET), logs
 * in, generates an RSA key on the card, signs and verifies, and writes the public
 * key, the message and the signature to OUTDIR for OpenSSL on Linux to check.
 *   dll_against_sim.exe DLL OUTDIR
 *   dll_against_sim.exe DLL --init-refused     (C_Initialize must fail, saying why)
 * Prints "ok - ..." per step; exits 0 only when every step passed. */
#include <windows.h>
#include <stdio.h>
#include <string.h>

#include "kaztoken/pkcs11.h"

static int failures;

#define CHECK(what, cond)                                                                          \
	do {                                                                                       \
		if (cond) {                                                                        \
			printf("ok - %s\n", what);                                                 \
		} else {                                                                           \
			printf("not ok - %s (line %d)\n", what, __LINE__);                         \
			failures++;                                                                \
			goto out;                                                                  \
		}                                                                                  \
	} while (0)

static int
write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[MAX_PATH];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s\\%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		return 0;
	ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok;
}

int
main(int argc, char **argv)
{
	static const char msg[] = "KAZTOKEN: a document signed on Windows";
	static CK_BYTE pin[] = "12345678", e[] = {1, 0, 1};
	CK_FUNCTION_LIST_PTR p = NULL;
	CK_C_GetFunctionList get_list;
	CK_C_GetInterface get_interface;
	CK_INTERFACE_PTR iface = NULL;
	CK_VERSION v30 = {3, 0};
	CK_SLOT_ID slots[8];
	CK_ULONG nslots = 8, i, bits = 2048, siglen;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE, priv = CK_INVALID_HANDLE;
	CK_MECHANISM gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0}, sign = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BBOOL yes = CK_TRUE;
	CK_BYTE id[] = {0x57, 0x49, 0x4e};
	CK_ATTRIBUTE pub_t[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)}, {CKA_PUBLIC_EXPONENT, e, sizeof(e)},
				{CKA_VERIFY, &yes, sizeof(yes)}, {CKA_TOKEN, &yes, sizeof(yes)},
				{CKA_ID, id, sizeof(id)}};
	CK_ATTRIBUTE priv_t[] = {{CKA_SIGN, &yes, sizeof(yes)}, {CKA_TOKEN, &yes, sizeof(yes)},
				 {CKA_PRIVATE, &yes, sizeof(yes)}, {CKA_ID, id, sizeof(id)}};
	CK_BYTE modulus[512], sig[512], altered[sizeof(msg)];
	CK_ATTRIBUTE get_n = {CKA_MODULUS, modulus, sizeof(modulus)};
	CK_SLOT_ID slot = (CK_SLOT_ID)-1;
	HMODULE dll;
	int initialized = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s DLL {OUTDIR | --init-refused}\n", argv[0]);
		return 2;
	}
	dll = LoadLibraryA(argv[1]);
	CHECK("the DLL loads", dll != NULL);
	get_list = (CK_C_GetFunctionList)(void (*)(void))GetProcAddress(dll, "C_GetFunctionList");
	get_interface = (CK_C_GetInterface)(void (*)(void))GetProcAddress(dll, "C_GetInterface");
	CHECK("C_GetFunctionList and C_GetInterface are exported", get_list != NULL && get_interface != NULL);
	CHECK("C_GetFunctionList answers", get_list(&p) == CKR_OK && p != NULL);
	CHECK("C_GetInterface gives PKCS#11 3.0",
	      get_interface((CK_UTF8CHAR_PTR) "PKCS 11", &v30, &iface, 0) == CKR_OK && iface != NULL &&
		      ((CK_VERSION *)iface->pFunctionList)->major == 3);
	if (strcmp(argv[2], "--init-refused") == 0) {
		CHECK("C_Initialize refuses the configuration", p->C_Initialize(NULL) == CKR_GENERAL_ERROR);
		goto out;
	}
	CHECK("C_Initialize", p->C_Initialize(NULL) == CKR_OK);
	initialized = 1;
	CHECK("C_GetSlotList lists tokens", p->C_GetSlotList(CK_TRUE, slots, &nslots) == CKR_OK && nslots > 0);
	for (i = 0; i < nslots; i++)
		if (p->C_GetSlotInfo(slots[i], &si) == CKR_OK &&
		    memcmp(si.slotDescription, "KAZTOKEN virtual reader", 23) == 0)
			slot = slots[i];
	CHECK("the virtual token's slot is there", slot != (CK_SLOT_ID)-1);
	CHECK("C_GetTokenInfo", p->C_GetTokenInfo(slot, &ti) == CKR_OK);
	printf("# token \"%.32s\", serial %.16s, %lu of %lu bytes free\n", ti.label, ti.serialNumber,
	       (unsigned long)ti.ulFreePublicMemory, (unsigned long)ti.ulTotalPublicMemory);
	CHECK("C_OpenSession",
	      p->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) == CKR_OK);
	CHECK("a wrong PIN is refused", p->C_Login(s, CKU_USER, (CK_BYTE_PTR) "87654321", 8) == CKR_PIN_INCORRECT);
	CHECK("C_Login with the user PIN", p->C_Login(s, CKU_USER, pin, 8) == CKR_OK);
	CHECK("C_GenerateKeyPair: RSA 2048 on the card",
	      p->C_GenerateKeyPair(s, &gen, pub_t, 5, priv_t, 4, &pub, &priv) == CKR_OK);
	CHECK("C_SignInit", p->C_SignInit(s, &sign, priv) == CKR_OK);
	siglen = sizeof(sig);
	CHECK("C_Sign", p->C_Sign(s, (CK_BYTE_PTR)msg, sizeof(msg) - 1, sig, &siglen) == CKR_OK && siglen == 256);
	CHECK("C_VerifyInit", p->C_VerifyInit(s, &sign, pub) == CKR_OK);
	CHECK("C_Verify accepts the signature", p->C_Verify(s, (CK_BYTE_PTR)msg, sizeof(msg) - 1, sig, siglen) == CKR_OK);
	memcpy(altered, msg, sizeof(msg));
	altered[0] ^= 1;
	CHECK("C_VerifyInit again", p->C_VerifyInit(s, &sign, pub) == CKR_OK);
	CHECK("C_Verify refuses a changed document",
	      p->C_Verify(s, altered, sizeof(msg) - 1, sig, siglen) == CKR_SIGNATURE_INVALID);
	CHECK("C_GetAttributeValue: the modulus", p->C_GetAttributeValue(s, pub, &get_n, 1) == CKR_OK);
	CHECK("the public key, document and signature are written",
	      write_file(argv[2], "modulus.bin", modulus, get_n.ulValueLen) &&
		      write_file(argv[2], "message.bin", msg, sizeof(msg) - 1) &&
		      write_file(argv[2], "signature.bin", sig, siglen));
	CHECK("the keys are destroyed", p->C_DestroyObject(s, priv) == CKR_OK && p->C_DestroyObject(s, pub) == CKR_OK);
	CHECK("C_Logout", p->C_Logout(s) == CKR_OK);
	CHECK("C_CloseSession", p->C_CloseSession(s) == CKR_OK);
out:
	if (initialized && p->C_Finalize(NULL) != CKR_OK) {
		printf("not ok - C_Finalize\n");
		failures++;
	} else if (initialized) {
		printf("ok - C_Finalize\n");
	}
	if (dll != NULL)
		FreeLibrary(dll);
	printf("%s\n", failures == 0 ? "# all steps passed" : "# FAILED");
	return failures == 0 ? 0 : 1;
}
