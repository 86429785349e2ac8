# Start ddp.py as two processes with torchrun, PyTorch's launcher, and show what
# they printed. Run it from the repository's root (ddp.py is in
# snippets/distributed/). In a terminal, the same run is one command:
#
#     torchrun --standalone --nproc-per-node=2 --max-restarts=1 \
#         snippets/distributed/ddp.py
import subprocess
import sys


def torchrun(program, nproc=2, timeout_s=120):
    """Run `program` as nproc processes on this machine; return what they printed."""
    # `python -m torch.distributed.run` is torchrun, from this Python's torch.
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    # --max-restarts=1: if a worker dies, torchrun starts the whole group once
    # more (the program is deterministic: a second start prints the same).
    command += [f"--nproc-per-node={nproc}", "--max-restarts=1", program]
    # A new Python, not a copy of this one: nothing this process did (threads,
    # autograd, a GPU in use) reaches the workers.
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
    if process.returncode != 0:
        raise RuntimeError(
            f"{program} failed (exit status {process.returncode}):\n{errors}"
        )
    return output


print(
    "$ torchrun --standalone --nproc-per-node=2 --max-restarts=1 "
    "snippets/distributed/ddp.py"
)
print(torchrun("snippets/distributed/ddp.py"), end="")
