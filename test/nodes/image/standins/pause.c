/*
 * STAND-IN for registry.k8s.io/pause (no image registry is reachable here): the pod sandbox's PID 1,
 * written for hadb's real-node tier. It only waits, reaps orphaned children (it is the pod's init when
 * the pod shares its PID namespace) and exits on SIGINT/SIGTERM, which is all the kubelet and
 * containerd expect of a sandbox image.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int sig) { _exit(sig == SIGTERM ? 0 : 2); }

static void reap(int sig) {
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

int main(void) {
  struct sigaction term = {.sa_handler = stop};
  struct sigaction child = {.sa_handler = reap, .sa_flags = SA_NOCLDSTOP};
  sigaction(SIGINT, &term, NULL);
  sigaction(SIGTERM, &term, NULL);
  sigaction(SIGCHLD, &child, NULL);
  for (;;) pause();
  return 0;
}
