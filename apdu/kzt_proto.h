/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The KAZTOKEN applet protocol: AID, ATR, instructions, tags and status words,
 * shared by the module and the virtual card. docs/apdu-protocol.md is the prose
 * version of this file; change both in the same commit. */
#ifndef KZT_PROTO_H
#define KZT_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* Applet identifier: F0 (proprietary, unregistered) + "KAZTOKEN" + version 01. */
#define KZT_AID {0xF0, 'K', 'A', 'Z', 'T', 'O', 'K', 'E', 'N', 0x01}
#define KZT_AID_LEN 10

/* ATR: TS=3B, T0=88 (TD1 follows, 8 historical bytes), TD1=80 (TD2 follows, T=0),
 * TD2=01 (T=1), historical bytes "KAZTOKEN", TCK. The module recognises a KAZTOKEN
 * by the historical bytes before it confirms with SELECT. */
#define KZT_ATR_HISTORICAL "KAZTOKEN"
#define KZT_ATR_LEN 13
/* Fill atr[KZT_ATR_LEN] with the KAZTOKEN ATR (TCK computed). */
void kzt_proto_atr(uint8_t atr[KZT_ATR_LEN]);
/* 1 when (atr, len) is a well-formed ATR carrying the KAZTOKEN historical bytes. */
int kzt_proto_atr_is_kaztoken(const uint8_t *atr, size_t len);

/* Classes. */
#define KZT_CLA_ISO 0x00
#define KZT_CLA_PROPRIETARY 0x80
#define KZT_CLA_CHAIN 0x10 /* ISO 7816-4 command chaining: "more commands follow" */

/* Instructions (ISO 7816-4/-8 unless marked proprietary, then CLA 80). */
#define KZT_INS_SELECT 0xA4
#define KZT_INS_GET_DATA 0xCA
#define KZT_INS_PUT_DATA 0xDA
#define KZT_INS_VERIFY 0x20
#define KZT_INS_CHANGE_REFERENCE_DATA 0x24
#define KZT_INS_RESET_RETRY_COUNTER 0x2C
#define KZT_INS_GENERATE_KEY_PAIR 0x47
#define KZT_INS_MSE 0x22
#define KZT_INS_PSO 0x2A
#define KZT_INS_GET_CHALLENGE 0x84
#define KZT_INS_GET_RESPONSE 0xC0
#define KZT_INS_FORMAT 0x50        /* proprietary */
#define KZT_INS_LIST_OBJECTS 0xE0  /* proprietary */
#define KZT_INS_CREATE_OBJECT 0xE2 /* proprietary */
#define KZT_INS_READ_OBJECT 0xE4   /* proprietary */
#define KZT_INS_UPDATE_OBJECT 0xE6 /* proprietary */
#define KZT_INS_DELETE_OBJECT 0xE8 /* proprietary */
#define KZT_INS_READ_VALUES 0xEA   /* proprietary: several objects' values at once */
#define KZT_INS_CHANNEL 0xEC       /* proprietary: card sessions sharing one security state */
#define KZT_P1_CHANNEL_NAME 0x00   /* CHANNEL: name this session's security state */
#define KZT_P1_CHANNEL_JOIN 0x01   /* CHANNEL: share the state of that name */
#define KZT_CHANNEL_TICKET_LEN 16

/* SELECT */
#define KZT_P1_SELECT_BY_AID 0x04
#define KZT_P2_SELECT_FCI 0x00

/* PIN references (P2 of VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER). */
#define KZT_PIN_USER 0x81
#define KZT_PIN_ADMIN 0x82
#define KZT_P1_VERIFY 0x00
#define KZT_P1_LOGOUT 0xFF
#define KZT_P1_CHANGE_OLD_NEW 0x00
#define KZT_P1_RESET_NEW_PIN 0x02 /* RESET RETRY COUNTER: data = new PIN */
#define KZT_P1_RESET_ONLY 0x03    /* RESET RETRY COUNTER: unblock, PIN kept */

/* GET DATA objects (P1 P2). */
#define KZT_DO_TOKEN_STATE 0x00C1    /* label, serial, counters, memory, PIN status */
#define KZT_DO_CHANGE_COUNTER 0x00C2 /* 4-byte change counter alone */

/* FCI returned by SELECT: 6F { 84 AID, A5 { 80 ver, 81 serial, 82 caps, 83 max cmd, 84 max resp } } */
#define KZT_TAG_FCI 0x6F
#define KZT_TAG_FCI_AID 0x84
#define KZT_TAG_FCI_PROP 0xA5
#define KZT_TAG_APPLET_VERSION 0x80 /* 2 bytes: major, minor */
#define KZT_TAG_SERIAL 0x81         /* 8 bytes */
#define KZT_TAG_CAPABILITIES 0x82   /* 1 byte, KZT_CAP_* */
#define KZT_TAG_MAX_COMMAND 0x83    /* 2 bytes: longest command data field */
#define KZT_TAG_MAX_RESPONSE 0x84   /* 2 bytes: longest response data field */
#define KZT_CAP_EXTENDED_LENGTH 0x01
#define KZT_CAP_CHAINING 0x02
#define KZT_CAP_READ_VALUES 0x04 /* READ VALUES (applet 1.1) */
#define KZT_CAP_LIST_PRIVATE 0x08 /* LIST OBJECTS of the private objects alone (applet 1.2) */
#define KZT_CAP_CHANNELS 0x10     /* CHANNEL (applet 1.2; the virtual token's connections) */
#define KZT_CAP_EC 0x20           /* elliptic-curve keys: ECDSA and GOST R 34.10-2012 (applet 1.3) */

/* Token state DO: E1 { ... } */
#define KZT_TAG_TOKEN_STATE 0xE1
#define KZT_TAG_LABEL 0x81          /* 0..32 bytes UTF-8; empty = never named */
#define KZT_TAG_STATE_SERIAL 0x82   /* 8 bytes */
#define KZT_TAG_CHANGE_COUNTER 0x83 /* 4 bytes */
#define KZT_TAG_MEM_TOTAL 0x84      /* 4 bytes */
#define KZT_TAG_MEM_FREE 0x85       /* 4 bytes */
#define KZT_TAG_POLICY 0x86         /* 1 byte, KZT_POLICY_* */
#define KZT_TAG_PIN_STATUS_USER 0xA1
#define KZT_TAG_PIN_STATUS_ADMIN 0xA2
/* inside A1 / A2 */
#define KZT_TAG_PIN_TRIES_LEFT 0x80
#define KZT_TAG_PIN_MAX_TRIES 0x81
#define KZT_TAG_PIN_MIN_LEN 0x82
#define KZT_TAG_PIN_MAX_LEN 0x83
#define KZT_TAG_PIN_FLAGS 0x84 /* KZT_PINF_* */
#define KZT_PINF_DEFAULT 0x01  /* the factory default PIN is in force */

/* PUT DATA object: the token label. */
#define KZT_DO_LABEL 0x00C3

/* Objects (docs/apdu-protocol.md 5.10). */
#define KZT_BLOB_MAX 1024 /* an object's attribute blob */
#define KZT_CLASS_DATA 0x00
#define KZT_CLASS_CERTIFICATE 0x01
#define KZT_CLASS_PUBLIC_KEY 0x02
#define KZT_CLASS_PRIVATE_KEY 0x03
#define KZT_OBJF_PRIVATE 0x01
#define KZT_OBJF_MODIFIABLE 0x02
#define KZT_OBJF_SIGN 0x04
#define KZT_OBJF_DECRYPT 0x08
#define KZT_TAG_DIR_ENTRY 0x61
#define KZT_LIST_PRIVATE 0x01 /* LIST OBJECTS data: the private objects alone */
#define KZT_TAG_OBJ_HANDLE 0x80
#define KZT_TAG_OBJ_CLASS 0x81
#define KZT_TAG_OBJ_FLAGS 0x82
#define KZT_TAG_OBJ_SIZE 0x83 /* in a directory entry: the value's size (4 bytes) */
#define KZT_TAG_OBJ_BLOB 0x83 /* in CREATE / UPDATE: the attribute blob */
#define KZT_TAG_DIR_BLOB 0x84 /* in a directory entry: the attribute blob */
#define KZT_TAG_OBJ_VALUE 0x84 /* in CREATE: the value; in READ VALUES: one */
#define KZT_TAG_OBJ_STATUS 0x86 /* in READ VALUES: why an object's value is not there (its SW) */
/* READ VALUES: at most this many handles a command, and this many bytes of image */
#define KZT_READ_VALUES_MAX_HANDLES 64
#define KZT_READ_VALUES_MAX_IMAGE 65535
#define KZT_TAG_RSA_COMPONENTS 0xA5
#define KZT_TAG_RSA_N 0x91
#define KZT_TAG_RSA_E 0x92
#define KZT_TAG_RSA_D 0x93
#define KZT_TAG_RSA_P 0x94
#define KZT_TAG_RSA_Q 0x95
#define KZT_TAG_RSA_DP 0x96
#define KZT_TAG_RSA_DQ 0x97
#define KZT_TAG_RSA_QINV 0x98
/* An elliptic-curve key: its curve (KZT_CURVE_*), private scalar and public point
 * (the key material 99 9A 86; a key object's public value 99 86). */
#define KZT_TAG_EC_CURVE 0x99
#define KZT_TAG_EC_PRIVATE 0x9A
#define KZT_TAG_EC_POINT 0x86 /* 04 || x || y, each of the curve's size */
#define KZT_CURVE_P256 0x01
#define KZT_CURVE_P384 0x02
#define KZT_CURVE_GOST_CP_A 0x11   /* CryptoPro A = TC26 256-B */
#define KZT_CURVE_GOST_CP_B 0x12   /* CryptoPro B = TC26 256-C */
#define KZT_CURVE_GOST_CP_C 0x13   /* CryptoPro C = TC26 256-D */
#define KZT_CURVE_GOST_256_A 0x14  /* TC26 256-A */
#define KZT_CURVE_GOST_512_A 0x21  /* TC26 512-A */
#define KZT_CURVE_GOST_512_B 0x22  /* TC26 512-B */
#define KZT_CURVE_GOST_512_C 0x23  /* TC26 512-C */
/* In a key object's directory entry: its algorithm and curve (00 for RSA). */
#define KZT_TAG_DIR_KEY_TYPE 0x87

/* GENERATE ASYMMETRIC KEY PAIR data and response. */
#define KZT_TAG_GEN_ALGORITHM 0x80
#define KZT_TAG_GEN_BITS 0x81
#define KZT_TAG_GEN_EXPONENT 0x82
#define KZT_TAG_GEN_PRIV_BLOB 0x83
#define KZT_TAG_GEN_PRIV_FLAGS 0x84
#define KZT_TAG_GEN_PUB_BLOB 0x85
#define KZT_TAG_GEN_PUB_FLAGS 0x86
#define KZT_TAG_GEN_CURVE 0x87
#define KZT_ALG_RSA 0x01
#define KZT_ALG_EC 0x02
#define KZT_TAG_PUBLIC_KEY 0x7F49
#define KZT_TAG_PUB_MODULUS 0x81
#define KZT_TAG_PUB_EXPONENT 0x82
#define KZT_TAG_GEN_PRIV_HANDLE 0xC1
#define KZT_TAG_GEN_PUB_HANDLE 0xC2

/* MSE SET and PSO. */
#define KZT_P1_MSE_SET_COMPUTE 0x41
#define KZT_P2_MSE_DST 0xB6 /* digital signature template: key for signing */
#define KZT_P2_MSE_CT 0xB8  /* confidentiality template: key for deciphering */
#define KZT_TAG_MSE_KEY 0x84
#define KZT_TAG_MSE_ALGORITHM 0x80
#define KZT_ALG_RSA_RAW 0x01
#define KZT_ALG_ECDSA 0x02 /* ECDSA of a hash the host made: r || s */
#define KZT_ALG_GOST 0x03  /* GOST R 34.10-2012 of a hash the host made: s || r */
#define KZT_P1P2_PSO_CDS 0x9E9A
#define KZT_P1P2_PSO_DECIPHER 0x8086
#define KZT_SW_MORE_DATA 0x6310 /* LIST / READ OBJECT: continue at the next offset */

/* Who may change the user PIN (format policy). */
#define KZT_POLICY_USER 0x01  /* the user, with the old PIN */
#define KZT_POLICY_ADMIN 0x02 /* the admin, by RESET RETRY COUNTER with a new PIN */
#define KZT_POLICY_BOTH (KZT_POLICY_USER | KZT_POLICY_ADMIN)

/* CHANGE REFERENCE DATA data field: 81 old PIN, 82 new PIN. */
#define KZT_TAG_OLD_PIN 0x81
#define KZT_TAG_NEW_PIN 0x82

/* FORMAT data field (every element optional; absent = factory default). */
#define KZT_TAG_FMT_LABEL 0x81
#define KZT_TAG_FMT_USER_PIN 0x82
#define KZT_TAG_FMT_ADMIN_PIN 0x83
#define KZT_TAG_FMT_USER_MIN_LEN 0x84
#define KZT_TAG_FMT_ADMIN_MIN_LEN 0x85
#define KZT_TAG_FMT_USER_TRIES 0x86
#define KZT_TAG_FMT_ADMIN_TRIES 0x87
#define KZT_TAG_FMT_POLICY 0x88

/* Factory defaults and limits. */
#define KZT_DEFAULT_USER_PIN "12345678"
#define KZT_DEFAULT_ADMIN_PIN "87654321"
#define KZT_DEFAULT_TRIES 10
#define KZT_DEFAULT_MIN_PIN_LEN 6
#define KZT_PIN_MAX_LEN 32
#define KZT_PIN_MIN_LEN_FLOOR 4 /* the least a format may set as minimum */
#define KZT_TRIES_MAX 15        /* a count must fit the x of 63Cx */
#define KZT_LABEL_MAX 32
#define KZT_SERIAL_LEN 8
#define KZT_DEFAULT_CAPACITY 65536

/* Status words. */
#define KZT_SW_OK 0x9000
#define KZT_SW_BYTES_REMAINING 0x6100     /* 61xx: xx more bytes via GET RESPONSE */
#define KZT_SW_WRONG_LE 0x6C00            /* 6Cxx: re-issue with Le = xx */
#define KZT_SW_VERIFY_FAILED 0x63C0       /* 63Cx: wrong PIN, x tries left */
#define KZT_SW_MEMORY_FAILURE 0x6581      /* the card could not commit its store */
#define KZT_SW_WRONG_LENGTH 0x6700
#define KZT_SW_LAST_CHAIN_EXPECTED 0x6883 /* chaining broken off */
#define KZT_SW_CHAINING_UNSUPPORTED 0x6884
#define KZT_SW_SECURITY_STATUS 0x6982     /* log in first */
#define KZT_SW_PIN_BLOCKED 0x6983
#define KZT_SW_CONDITIONS 0x6985          /* conditions of use not satisfied */
#define KZT_SW_NOT_ALLOWED 0x6986         /* forbidden by the token's policy */
#define KZT_SW_WRONG_DATA 0x6A80          /* data field invalid (e.g. PIN length) */
#define KZT_SW_FUNC_UNSUPPORTED 0x6A81
#define KZT_SW_NOT_FOUND 0x6A82
#define KZT_SW_NO_SPACE 0x6A84
#define KZT_SW_WRONG_P1P2 0x6A86
#define KZT_SW_REF_NOT_FOUND 0x6A88
#define KZT_SW_INS_UNSUPPORTED 0x6D00
#define KZT_SW_CLA_UNSUPPORTED 0x6E00
#define KZT_SW_UNKNOWN 0x6F00

/* What an APDU trace may print of a command (by INS): a command whose data field
 * carries PINs or key material is traced as header and length only. */
int kzt_proto_ins_data_is_secret(uint8_t cla, uint8_t ins);
/* ...and whose response data is secret: PSO DECIPHER's plaintext and GET
 * CHALLENGE's random bytes (which may become keys). cmd is the encoded command. */
int kzt_proto_response_is_secret(const uint8_t *cmd, size_t n);

#endif
