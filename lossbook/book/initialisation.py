r"""Weight initialisation: seeded init helpers, layer statistics, theory.

Three pieces that the initialisation chapter (and any chapter that trains a
deep network) uses:

* :func:`init_linear_` re-initialises every :class:`torch.nn.Linear` of a model
  with a named scheme, drawing from an explicit :class:`torch.Generator`, and
  :func:`weight_variance` gives the variance each scheme aims at;
* :func:`layer_stats` measures, layer by layer in any network (such as a deep
  :func:`~lossbook.book.make_mlp`), the standard deviation of the
  pre-activations in the forward pass and of the back-propagated gradients;
* :func:`theory_std` predicts those two curves from the variance-propagation
  recursion of Glorot & Bengio (2010) and He et al. (2015), exact for linear
  and ReLU layers and computed by numerical integration on a fine grid for
  tanh.

The names of the schemes follow :mod:`torch.nn.init`.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

# The schemes :func:`init_linear_` knows, with the variance of ``W`` each one
# gives.
SCHEMES = (
    "normal",  # N(0, 1): Var(W) = 1
    "default",  # torch's nn.Linear default: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    "xavier_normal",  # Glorot: Var(W) = 2 / (fan_in + fan_out)
    "xavier_uniform",
    # He: Var(W) = gain**2 / fan_in (fan_in mode) or gain**2 / fan_out
    "kaiming_normal",
    "kaiming_uniform",
    "zeros",  # every weight 0
)

_ACTIVATIONS = ("linear", "relu", "tanh")


def weight_variance(
    scheme: str,
    fan_in: int,
    fan_out: int,
    *,
    nonlinearity: str = "relu",
    mode: str = "fan_in",
) -> float:
    r"""The variance of one weight under an initialisation scheme.

    ==================  =======================================================
    scheme              :math:`\operatorname{Var}(W)`
    ==================  =======================================================
    ``"normal"``        :math:`1`
    ``"default"``       :math:`1 / (3\,n_\text{in})`, uniform on
                        :math:`\pm 1/\sqrt{n_\text{in}}`
    ``"xavier_*"``      :math:`2 / (n_\text{in} + n_\text{out})`
    ``"kaiming_*"``     :math:`g^2 / n` with :math:`n` = ``fan_in`` or
                        ``fan_out`` (``mode``) and :math:`g` =
                        ``torch.nn.init.calculate_gain(nonlinearity)``
    ``"zeros"``         :math:`0`
    ==================  =======================================================

    Args:
        scheme: one of the names in ``lossbook.book.initialisation.SCHEMES``.
        fan_in: inputs per unit, :math:`n_\text{in}` (``in_features`` of a
            Linear layer).
        fan_out: outputs per input, :math:`n_\text{out}` (``out_features``).
        nonlinearity: for the ``kaiming_*`` schemes, the activation that
            follows the layer.
        mode: for the ``kaiming_*`` schemes, ``"fan_in"`` (keeps the forward
            variance) or ``"fan_out"`` (keeps the backward variance).

    Returns:
        The variance as a float.

    Raises:
        ValueError: for an unknown scheme or mode, or fans smaller than 1.

    Matches the empirical variance of ``torch.nn.init.xavier_normal_``,
    ``kaiming_uniform_`` and friends, and of ``nn.Linear``'s own
    ``reset_parameters`` (``kaiming_uniform_`` with ``a = sqrt(5)``). See
    Glorot & Bengio (2010), He et al. (2015).

    Example:
        >>> weight_variance("xavier_normal", 100, 300)
        0.005
        >>> weight_variance("kaiming_normal", 50, 10)  # 2 / 50 for ReLU
        0.04
        >>> round(weight_variance("default", 12, 1), 6)  # 1 / 36
        0.027778
    """
    if scheme not in SCHEMES:
        raise ValueError(
            f"weight_variance: scheme must be one of {SCHEMES}, got "
            f"{scheme!r}."
        )
    if fan_in < 1 or fan_out < 1:
        raise ValueError(
            "weight_variance: fan_in and fan_out must be at least 1, got "
            f"{fan_in} and {fan_out}."
        )
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(
            "weight_variance: mode must be 'fan_in' or 'fan_out', got "
            f"{mode!r}."
        )
    if scheme == "normal":
        return 1.0
    if scheme == "default":
        return 1.0 / (3.0 * fan_in)
    if scheme.startswith("xavier"):
        return 2.0 / (fan_in + fan_out)
    if scheme.startswith("kaiming"):
        gain = nn.init.calculate_gain(nonlinearity)
        return gain**2 / (fan_in if mode == "fan_in" else fan_out)
    return 0.0  # zeros


def init_linear_(
    model: nn.Module,
    scheme: str,
    *,
    generator: torch.Generator,
    nonlinearity: str = "relu",
    mode: str = "fan_in",
) -> nn.Module:
    r"""Re-initialise every ``nn.Linear`` of ``model`` in place.

    Weights follow ``scheme`` (see :func:`weight_variance`) through the
    matching :mod:`torch.nn.init` function; biases are set to zero, as in
    Glorot & Bengio (2010) and He et al. (2015). The exception is
    ``scheme="default"``, which redoes exactly what
    ``nn.Linear.reset_parameters`` does (weights *and* biases uniform on
    :math:`\pm 1/\sqrt{n_\text{in}}`), only with the given generator.

    Layers are found with ``isinstance``, so subclasses of ``nn.Linear`` (such
    as the output projection inside ``nn.MultiheadAttention``) are included.

    Args:
        model: a module; every ``nn.Linear`` inside it (itself included) is
            re-initialised.
        scheme: one of the names in ``lossbook.book.initialisation.SCHEMES``.
        generator: the random number generator to draw from, for reproducible
            runs.
        nonlinearity: for the ``kaiming_*`` schemes, the activation that
            follows each layer.
        mode: for the ``kaiming_*`` schemes, ``"fan_in"`` or ``"fan_out"``.

    Returns:
        ``model``, for chaining.

    Raises:
        ValueError: for an unknown scheme or mode, or if ``model`` holds no
            ``nn.Linear``.

    Example:
        >>> layer = nn.Linear(400, 100)
        >>> gen = torch.Generator().manual_seed(0)
        >>> _ = init_linear_(layer, "kaiming_normal", generator=gen)
        >>> w, b = layer.weight, layer.bias
        >>> round(w.var().item() * 400, 1), b.abs().max().item()
        (2.0, 0.0)
    """
    if scheme not in SCHEMES:
        raise ValueError(
            f"init_linear_: scheme must be one of {SCHEMES}, got {scheme!r}."
        )
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(
            f"init_linear_: mode must be 'fan_in' or 'fan_out', got {mode!r}."
        )
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not layers:
        raise ValueError(
            f"init_linear_: found no nn.Linear in the {type(model).__name__} "
            "given; pass a model that contains Linear layers."
        )
    g = generator
    with torch.no_grad():
        for layer in layers:
            w = layer.weight
            if scheme == "normal":
                nn.init.normal_(w, 0.0, 1.0, generator=g)
            elif scheme == "default":
                nn.init.kaiming_uniform_(w, a=math.sqrt(5), generator=g)
            elif scheme == "xavier_normal":
                nn.init.xavier_normal_(w, generator=g)
            elif scheme == "xavier_uniform":
                nn.init.xavier_uniform_(w, generator=g)
            elif scheme == "kaiming_normal":
                nn.init.kaiming_normal_(
                    w, mode=mode, nonlinearity=nonlinearity, generator=g
                )
            elif scheme == "kaiming_uniform":
                nn.init.kaiming_uniform_(
                    w, mode=mode, nonlinearity=nonlinearity, generator=g
                )
            else:
                nn.init.zeros_(w)
            if layer.bias is None:
                continue
            if scheme == "default":
                bound = 1.0 / math.sqrt(layer.in_features)
                nn.init.uniform_(layer.bias, -bound, bound, generator=g)
            else:
                nn.init.zeros_(layer.bias)
    return model


def layer_stats(
    model: nn.Module,
    x: torch.Tensor,
    *,
    generator: torch.Generator,
) -> dict[str, np.ndarray]:
    r"""Standard deviations of each Linear layer's output and of its gradient.

    Forward hooks record, for the :math:`l`-th ``nn.Linear`` of ``model`` (in
    the order the layers run), the standard deviation over all entries of its
    output :math:`\mathbf y_l = W_l \mathbf x_l + \mathbf b_l` (the
    pre-activation). Then the output of the model is back-propagated with an
    upstream gradient of independent standard normal entries drawn from
    ``generator`` (as if the loss were :math:`\mathbf u^\top f(\mathbf x)` with
    random :math:`\mathbf u`), and tensor hooks record the standard deviation
    of :math:`\partial L / \partial \mathbf y_l`. Parameters' ``.grad`` are
    left untouched.

    Args:
        model: a network containing ``nn.Linear`` layers.
        x: a batch of inputs.
        generator: draws the upstream gradient.

    Returns:
        ``{"forward": ..., "backward": ...}``: two float64 arrays with one
        entry per Linear layer, in forward order.

    Raises:
        ValueError: if ``model`` holds no ``nn.Linear``.

    Example:
        >>> _ = torch.manual_seed(0)
        >>> # a deep linear net
        >>> net = nn.Sequential(*[nn.Linear(100, 100) for _ in range(4)])
        >>> gen = torch.Generator().manual_seed(0)
        >>> _ = init_linear_(net, "xavier_normal", generator=gen)
        >>> x = torch.randn(500, 100)
        >>> gen = torch.Generator().manual_seed(1)
        >>> stats = layer_stats(net, x, generator=gen)
        >>> stats["forward"].shape, bool(abs(stats["forward"][-1] - 1) < 0.1)
        ((4,), True)
    """
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not layers:
        raise ValueError(
            f"layer_stats: found no nn.Linear in the {type(model).__name__} "
            "given."
        )
    forward: list[float] = []
    outputs: list[torch.Tensor] = []

    def record(module, inputs, output):
        forward.append(output.detach().double().std().item())
        outputs.append(output)

    handles = [layer.register_forward_hook(record) for layer in layers]
    try:
        x = x.detach().requires_grad_(True)
        out = model(x)
        upstream = torch.randn(out.shape, generator=generator, dtype=out.dtype)
        grads = torch.autograd.grad(out, outputs, grad_outputs=upstream)
    finally:
        for handle in handles:
            handle.remove()
    backward = [g.double().std().item() for g in grads]
    return {"forward": np.array(forward), "backward": np.array(backward)}


def _moments(activation: str, q: float) -> tuple[float, float]:
    r"""E[phi(z)^2] and E[phi'(z)^2] for z ~ N(0, q)."""
    if activation == "linear":
        return q, 1.0
    if activation == "relu":
        return q / 2.0, 0.5
    if q == 0.0:  # tanh(0) = 0 and tanh'(0) = 1
        return 0.0, 1.0
    # tanh: write tanh^2 = 1 - sech^2 and tanh'^2 = sech^4, so that both
    # integrands carry a factor sech^2(z), a bump of width about 1 that is
    # below 1e-16 past |z| = 20. A fine uniform grid over |z| <= min(8 sd, 20)
    # then integrates them to double precision (the integrands vanish at both
    # ends), however large q is: a fixed Gauss-Hermite rule would miss the
    # bump once q is much larger than 1, and the grid never needs more than
    # 6 401 points. (When the grid holds the whole Gaussian, E[tanh^2] is
    # summed directly, which keeps its digits when q is small.)
    sd = math.sqrt(q)
    step = min(0.01, sd / 400.0)
    edge = min(8.0 * sd, 20.0)
    z = np.linspace(-edge, edge, 2 * math.ceil(edge / step) + 1)
    weight = np.exp(-0.5 * (z / sd) ** 2) * (z[1] - z[0])
    weight /= sd * math.sqrt(2.0 * math.pi)  # the Gaussian density, times dz
    sech2 = 1.0 / np.cosh(z) ** 2
    slope = float(weight @ sech2**2)
    if edge < 20.0:  # the grid holds the whole Gaussian: no cancellation
        return float(weight @ np.tanh(z) ** 2), slope
    return 1.0 - float(weight @ sech2), slope


def theory_std(
    depth: int,
    *,
    width: int,
    weight_var: float,
    activation: str,
    input_var: float = 1.0,
    bias_var: float = 0.0,
) -> dict[str, np.ndarray]:
    r"""Predicted standard deviations of pre-activations and gradients.

    For a stack of ``depth`` square Linear layers of size ``width`` (weights
    i.i.d. with variance ``weight_var``, biases with variance ``bias_var``)
    with the activation :math:`\phi` after every layer but the last, the
    variance :math:`q_l` of the pre-activations follows

    .. math::

        q_1 = n \sigma_w^2 \, v_\text{in} + \sigma_b^2, \qquad
        q_{l+1} = n \sigma_w^2 \,
            \mathbb E_{z \sim \mathcal N(0, q_l)}[\phi(z)^2] + \sigma_b^2,

    and the variance :math:`r_l` of :math:`\partial L/\partial \mathbf y_l`,
    starting from :math:`r_L = 1` at the output, follows

    .. math::

        r_l = n \sigma_w^2 \,
            \mathbb E_{z \sim \mathcal N(0, q_l)}[\phi'(z)^2] \, r_{l+1}.

    For ReLU, :math:`\mathbb E[\phi^2] = q/2` and
    :math:`\mathbb E[\phi'^2] = 1/2`, so each layer multiplies the variance by
    :math:`n\sigma_w^2/2`: the He condition :math:`\sigma_w^2 = 2/n` makes it
    1, Xavier's :math:`1/n` makes it 1/2. For tanh the expectations are
    computed on a fine grid, accurate for any :math:`q` (tanh's slope is a bump
    of width about 1 however wide the Gaussian is). The recursion treats the
    units of a layer as independent Gaussians, which holds for wide layers.

    Args:
        depth: number of Linear layers.
        width: the fan-in :math:`n` of every layer.
        weight_var: :math:`\sigma_w^2`, the variance of each weight.
        activation: ``"linear"``, ``"relu"`` or ``"tanh"``.
        input_var: :math:`v_\text{in}`, the mean square of the input entries.
        bias_var: :math:`\sigma_b^2`, the variance of each bias.

    Returns:
        ``{"forward": sqrt(q), "backward": sqrt(r)}``, float64 arrays of length
        ``depth``.

    Raises:
        ValueError: for ``depth < 1``, a negative variance or an unknown
            activation.

    Example:
        >>> # Xavier's variance under ReLU: the signal halves every two layers
        >>> curve = theory_std(
        ...     5, width=100, weight_var=1 / 100, activation="relu"
        ... )
        >>> np.round(curve["forward"] / curve["forward"][0], 3)
        array([1.   , 0.707, 0.5  , 0.354, 0.25 ])
    """
    if depth < 1:
        raise ValueError(f"theory_std: depth must be at least 1, got {depth}.")
    if activation not in _ACTIVATIONS:
        raise ValueError(
            f"theory_std: activation must be one of {_ACTIVATIONS}, got "
            f"{activation!r}."
        )
    if weight_var < 0 or bias_var < 0 or input_var < 0:
        raise ValueError(
            "theory_std: weight_var, bias_var and input_var must be >= 0, got "
            f"{weight_var}, {bias_var} and {input_var}."
        )
    gain = width * weight_var
    q = np.empty(depth)
    slope = np.empty(depth)  # E[phi'(y_l)^2]
    q[0] = gain * input_var + bias_var
    for layer in range(depth):
        second, slope[layer] = _moments(activation, q[layer])
        if layer + 1 < depth:
            q[layer + 1] = gain * second + bias_var
    r = np.empty(depth)
    r[-1] = 1.0
    for layer in range(depth - 2, -1, -1):
        r[layer] = gain * slope[layer] * r[layer + 1]
    return {"forward": np.sqrt(q), "backward": np.sqrt(r)}
