{
  "targets": [
    {
      "target_name": "watchdog",
      "sources": ["native/watchdog.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
