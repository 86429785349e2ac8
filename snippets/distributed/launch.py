# Start ddp.py as two processes with torchrun, PyTorch's launcher, and show what
# they printed. Run it from the repository's root (ddp.py is in
# snippets/distributed/). In a terminal, the same run is one command:
#
#     torchrun --standalone --nproc-per-node=2 snippets/distributed/ddp.py
import subprocess
import sys


def torchrun(program, nproc=2, timeout_s=120):
    """Run `program` as nproc processes on this machine; return what they printed."""
    # `python -m torch.distributed.run` is torchrun, from this Python's torch.
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    command += [f"--nproc-per-node={nproc}", program]
    # A new Python, not a copy of this one: nothing this process did (threads,
    # autograd, a GPU in use) reaches the workers.
    for attempt in (1, 2):
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            output, errors = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.terminate()  # torchrun stops its workers, then exits
            output, errors = process.communicate(timeout=60)
            raise RuntimeError(
                f"{program} was still running after {timeout_s} s:\n{errors}"
            ) from None
        # A worker can abort inside gloo, the CPU backend ("terminate called
        # without an active exception"): seen in this site's loaded test runs,
        # never on an idle machine. The program is deterministic: run it again.
        aborted = "terminate called without an active exception" in errors
        if process.returncode == 0 or not aborted or attempt == 2:
            break
    if process.returncode != 0:
        raise RuntimeError(
            f"{program} failed (exit status {process.returncode}):\n{errors}"
        )
    return output


print("$ torchrun --standalone --nproc-per-node=2 snippets/distributed/ddp.py")
print(torchrun("snippets/distributed/ddp.py"), end="")
