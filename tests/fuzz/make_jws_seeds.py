#!/usr/bin/env python3
"""Writes the seed tokens of fuzz_jws into corpus/jws.

The tokens are signed with the two test keys embedded in fuzz_jws.cpp, so valid seeds verify and
the fuzzer starts from inputs that pass the signature check. ECDSA signatures are randomized:
running this again changes the bytes of the signed seeds, not what they test.
Needs the `cryptography` package.
"""

import base64
import hashlib
import hmac
import json
import os
import re

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'corpus', 'jws')

ISSUER = 'https://pdp.example'
AUDIENCE = 'https://pdp.example/access/v1/requests'
TYP = 'recourse-binding+jwt'
NOW = 1767225600
# P-256 group order: r or s equal to it must be rejected.
ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def load_keys():
    source = open(os.path.join(HERE, 'fuzz_jws.cpp')).read()
    pems = []
    for name in ('kTrustedKeyPem', 'kOtherKeyPem'):
        block = re.search(name + r'\[\] = (.*?);', source, re.S).group(1)
        pem = ''.join(re.findall(r'"(.*?)"', block)).replace('\\n', '\n')
        pems.append(serialization.load_pem_private_key(pem.encode(), password=None))
    return pems


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=')


def compact(value):
    return json.dumps(value, separators=(',', ':')).encode()


def raw_signature(key, signing_input):
    r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, 'big') + s.to_bytes(32, 'big')


def token(key, header, claims, header_bytes=None, claims_bytes=None):
    signing_input = b64(header_bytes or compact(header)) + b'.' + b64(claims_bytes or compact(claims))
    return signing_input, raw_signature(key, signing_input)


def write(name, data):
    with open(os.path.join(OUT, name), 'wb') as file:
        file.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    trusted, other = load_keys()
    header = {'alg': 'ES256', 'typ': TYP, 'kid': 'fuzz-a'}
    claims = {'iss': ISSUER, 'aud': AUDIENCE, 'exp': NOW + 600, 'iat': NOW - 60, 'jti': 'jti-1',
              'evaluation_id': 'ev_1', 'template': 'manager_approval', 'binding_hash': 'x' * 43,
              'binding_context_members': ['tenant'], 'denial_expires_at': '2026-01-01T00:10:00Z'}

    signing_input, signature = token(trusted, header, claims)
    write('valid', signing_input + b'.' + b64(signature))
    r, s = int.from_bytes(signature[:32], 'big'), int.from_bytes(signature[32:], 'big')
    write('signature-der', signing_input + b'.' + b64(encode_dss_signature(r, s)))
    write('signature-high-s', signing_input + b'.' + b64(signature[:32] + (ORDER - s).to_bytes(32, 'big')))
    write('signature-r-is-order', signing_input + b'.' + b64(ORDER.to_bytes(32, 'big') + signature[32:]))
    write('signature-zero', signing_input + b'.' + b64(bytes(64)))
    write('signature-der-zero', signing_input + b'.' + b64(bytes.fromhex('3006020100020100')))
    write('signature-short', signing_input + b'.' + b64(signature[:63]))
    write('padded-segment', signing_input + b'.' + base64.urlsafe_b64encode(signature[:62]))
    write('four-parts', signing_input + b'.' + b64(signature) + b'.')
    write('two-parts', signing_input)

    for name, value in (('aud-array', {'aud': ['https://other', AUDIENCE]}),
                        ('aud-nested-array', {'aud': [[AUDIENCE]]}),
                        ('aud-trailing-slash', {'aud': AUDIENCE + '/'}),
                        ('expired', {'exp': NOW - 31}),
                        ('exp-string', {'exp': str(NOW + 600)}),
                        ('iat-future', {'iat': NOW + 3600}),
                        ('nbf-future', {'nbf': NOW + 3600}),
                        ('issuer-other', {'iss': 'https://other.example'})):
        signing_input, signature = token(trusted, header, dict(claims, **value))
        write('claims-' + name, signing_input + b'.' + b64(signature))

    for name, value in (('alg-none', {'alg': 'none'}), ('alg-none-capital', {'alg': 'None'}),
                        ('alg-missing', {'alg': None}), ('typ-wrong', {'typ': 'JWT'}),
                        ('kid-missing', {'kid': None}), ('kid-long', {'kid': 'k' * 10000}),
                        ('kid-path', {'kid': '../../signing-key.pem'}), ('crit', {'crit': ['exp']}),
                        ('jwk-embedded', {'jwk': {'kty': 'EC', 'crv': 'P-256', 'x': 'AA', 'y': 'AA'}})):
        changed = {k: v for k, v in dict(header, **value).items() if v is not None}
        signing_input, signature = token(trusted, changed, claims)
        write('header-' + name, signing_input + b'.' + b64(signature))

    none_input = b64(compact({'alg': 'none', 'typ': TYP})) + b'.' + b64(compact(claims))
    write('unsigned-alg-none', none_input + b'.')
    write('unsigned-alg-none-filler', none_input + b'.AA')

    # HS256 keyed with the public key: the classic algorithm-confusion forgery.
    public = trusted.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    hs_input = b64(compact(dict(header, alg='HS256'))) + b'.' + b64(compact(claims))
    write('hs256-public-key', hs_input + b'.' + b64(hmac.new(public, hs_input, hashlib.sha256).digest()))

    # A key trusted only for another issuer, and a kid that names the trusted key.
    signing_input, signature = token(other, dict(header, kid='fuzz-b'), claims)
    write('kid-other-issuer', signing_input + b'.' + b64(signature))
    signing_input, signature = token(other, header, claims)
    write('kid-trusted-wrong-key', signing_input + b'.' + b64(signature))

    duplicate = b'{"alg":"ES256","typ":"' + TYP.encode() + b'","kid":"fuzz-a","alg":"none"}'
    signing_input, signature = token(trusted, None, claims, header_bytes=duplicate)
    write('header-duplicate-alg', signing_input + b'.' + b64(signature))

    # Signing requests: header line, claims line and, optionally, a replacement signature.
    write('sign-valid', compact(header) + b'\n' + compact(claims))
    write('sign-claims-array', compact(header) + b'\n' + b'[1,2]')
    write('sign-invalid-json', compact(header) + b'\n' + b'{"iss":"' + ISSUER.encode() + b'",}')
    write('sign-zero-signature', compact(header) + b'\n' + compact(claims) + b'\n' + bytes(64))
    for name, value in (('aud-array-without', {'aud': ['https://other']}), ('aud-number', {'aud': 7}),
                        ('iat-string', {'iat': 'now'}), ('nbf-string', {'nbf': 'later'}), ('no-exp', {'exp': None})):
        changed = {k: v for k, v in dict(claims, **value).items() if v is not None}
        write('sign-claims-' + name, compact(header) + b'\n' + compact(changed))


if __name__ == '__main__':
    main()
