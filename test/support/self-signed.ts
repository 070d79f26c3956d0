// A certificate for 127.0.0.1 that no authority signed (made once with
// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
// -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1`): a server that shows it must not be
// trusted. A test key, protecting nothing.

export const SELF_SIGNED_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGU5vRiqIBO8n5/Wl
hMh9Kl2peHL2Sgo5BtUcSrGq9UehRANCAARwR7ATlDl1Wl2BwmjyWEZkqgLTPDck
Hshw5edBPu7a9pLzlIJVM9VzUis5Etwoemdc0qVwa/F7lz/e7if/NR/+
-----END PRIVATE KEY-----
`;

export const SELF_SIGNED_CERT = `-----BEGIN CERTIFICATE-----
MIIBkDCCATagAwIBAgIUcsMXqCNIhH6He7qPXLO4jD+kiGAwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwNzA0MDQzOFoYDzIxMjYxMTEz
MDQwNDM4WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARwR7ATlDl1Wl2BwmjyWEZkqgLTPDckHshw5edBPu7a9pLzlIJVM9Vz
Uis5Etwoemdc0qVwa/F7lz/e7if/NR/+o2QwYjAdBgNVHQ4EFgQUvS3b6yt5xhMg
hiL0GZwpCdOfRUswHwYDVR0jBBgwFoAUvS3b6yt5xhMghiL0GZwpCdOfRUswDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUC
IQDmeLKxcuXnxA6sG/f+jim8x74O+Rd7aRUfEHY21SHVfgIgNjqYYs7vq2dNLWBz
n0J/H+ufQsMo4BZ5veEONkNTtZo=
-----END CERTIFICATE-----
`;
