{
  "targets": [
    {
      "target_name": "bond",
      "sources": [ "src/native/bond.c" ],
      "cflags": [ "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11" ],
      "defines": [ "NAPI_VERSION=8" ]
    }
  ]
}
