"""PyTorch's texts that the core raises, word for word (PyTorch 2.13; what students read).

A string table: tests compare these with what torch 2.13 prints.
"""

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")

VERSION_MESSAGE = (
    "one of the variables needed for gradient computation has been modified by an inplace operation: "
    "[{type} {shape}]{output} is at version {version}; expected version {expected} instead. Hint: enable anomaly "
    "detection to find the operation that failed to compute its gradient, with "
    "torch.autograd.set_detect_anomaly(True, check_nan=False).")

LEAF_INPLACE_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."

NON_LEAF_REQUIRES_GRAD_MESSAGE = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")

# (what assigning `y.requires_grad = True` to a non-leaf says: the first sentence only)
NON_LEAF_REQUIRES_GRAD_ATTRIBUTE = "you can only change requires_grad flags of leaf variables."

ONLY_FLOAT_REQUIRES_GRAD = "only Tensors of floating point dtype can require gradients"
ONLY_FLOAT_REQUIRES_GRAD_ATTRIBUTE = "only Tensors of floating point and complex dtype can require gradients"
ONLY_FLOAT_LEAF = "Only Tensors of floating point and complex dtype can require gradients"

BOOL_SUB_MESSAGE = ("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
             "`logical_xor()` operator instead.")

OWN_GRAD_MESSAGE = "can't assign Variable as its own grad"  # x.grad = x
NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information. (Triggered "
    "internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)")

CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter and its "
    "gradient which can cause a memory leak. We recommend using autograd.grad when creating the graph to "
    "avoid this. If you have to use this function, make sure to reset the .grad fields of your parameters "
    "to None after use to break the cycle and avoid the leak. (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:1307.)")

T_WARNINGS = {
    "T_nd": "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it "
            "will throw an error in a future release. Consider `x.mT` to transpose batches of matrices or "
            "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor. (Triggered "
            "internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4314.)",
    "T_0d": "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases. (Triggered "
            "internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4321.)",
}

COPY_CONSTRUCT_WARNING = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
    "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).")

SCALAR_REQUIRES_GRAD_WARNING = (  # float(loss) / int(t) on a tensor that requires grad
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first. (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/generated/python_variable_methods.cpp:822.)")

DEEPCOPY_NON_LEAF_MESSAGE = (
    "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the moment.  If you "
    "were attempting to deepcopy a module, this may be because of a torch.nn.utils.weight_norm usage, see "
    "https://github.com/pytorch/pytorch/pull/103001")

OUT_RESIZED_WARNING = (
    "An output with one or more elements was resized since it had shape {}, which does not match the required output "
    "shape {}. This behavior is deprecated, and in a future PyTorch release outputs will not be resized unless they "
    "have zero elements. You can explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
    "t.resize_(0). (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/Resize.cpp:30.)")

PACK_INPLACE_MESSAGE = (
    "A saved tensor pack hook is modifying its input in place. Tensors provided as input to pack hook cannot be "
    "modified by in-place operations as this can lead to unexpected side-effects. Please open an issue if you need "
    "to perform in-place operations on the input to a pack hook.")
POST_ACCUMULATE_RETURN_MESSAGE = "Tensor post accumulate grad hooks should return None."


def missing_attribute(owner: str, name: str) -> AttributeError:
    """What ``owner.name`` raises when autograd_lab has no such name: Python's AttributeError (``hasattr`` and
    ``getattr(x, name, default)`` work as with torch), and for a public name, that it may be PyTorch's but is
    not in the teaching subset."""
    text = f"{owner} has no attribute '{name}'"
    if not name.startswith("_"):
        text += (f" (autograd_lab is a teaching subset of PyTorch: if {name} is a PyTorch name, it is not in the "
                 f"subset; the README's 'How it differs from real PyTorch' says what is)")
    return AttributeError(text)
