/* oci.h — OCI bundles for the runsc driver. */
#ifndef KC_WORKER_SANDBOX_OCI_H
#define KC_WORKER_SANDBOX_OCI_H

#include "worker-sandbox/sbx_int.h"

/* Writes dir/rootfs and dir/config.json for req; 0, or -1 with res failed. */
int oci_bundle_write(const struct sbx *s, const struct sbx_req *req, const char *dir,
                     struct sbx_result *res);

#endif
