<?php
// Signs a status proof in RFC 8785 form with PHP 8.1 or later (sodium,
// mbstring).
//
//   php sign.php OUT

// The secret key of RFC 8032 §7.1 TEST 1: a published test key, never a real one.
$secret = sodium_crypto_sign_secretkey(sodium_crypto_sign_seed_keypair(
    hex2bin('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60')));

$proof = [
    'license_id' => 'LIC-2026-0042',
    'status' => 'valid',
    'checked_at' => '2026-03-01T09:00:00Z',
    'valid_until' => '2026-03-04T09:00:00Z',
    'revocation_epoch' => 7,
    'entitlements' => ['export', 'größe:xl', '日本語', '🚀 turbo'],
    'issuer_kid' => 'vendor-2026',
    'customer' => 'Zoë Müller & Söhne <Köln/Bonn>',
    'labels' => ['ﬁ' => 'ligature', '😀' => 'grinning'],
    'note' => "line\u{2028}separator",
];

// RFC 8785 for strings, integers, booleans, null, lists and maps. json_encode
// alone is not: by default it escapes "/" and every non-ASCII character, and
// ksort orders names by UTF-8 bytes, not by UTF-16 code units ("ﬁ" before
// "😀"). An empty PHP array is written as the list [], never as {}.
function canonical($v): string
{
    if (is_array($v) && !array_is_list($v)) {
        $utf16 = fn ($k) => mb_convert_encoding((string) $k, 'UTF-16BE', 'UTF-8');
        $names = array_keys($v);
        usort($names, fn ($a, $b) => strcmp($utf16($a), $utf16($b)));
        $members = array_map(fn ($k) => canonical((string) $k) . ':' . canonical($v[$k]), $names);
        return '{' . implode(',', $members) . '}';
    }
    if (is_array($v)) {
        return '[' . implode(',', array_map('canonical', $v)) . ']';
    }
    if (is_float($v)) {
        throw new InvalidArgumentException('floats need ECMAScript number spelling (RFC 8785 §3.2.2.3)');
    }
    return json_encode($v, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE
        | JSON_UNESCAPED_LINE_TERMINATORS | JSON_THROW_ON_ERROR);
}

$proof['signature'] = base64_encode(sodium_crypto_sign_detached(canonical($proof), $secret));
file_put_contents($argv[1], canonical($proof));
