// SPDX-License-Identifier: MIT
// FunctionRef: a non-owning reference to a callable, so compiled code can take lambdas cheaply.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace kolosal {

template <class Signature>
class FunctionRef;

/// Non-owning, trivially copyable view of a callable (as llvm::function_ref / P0792). The callable
/// must outlive the reference; use it for parameters only.
template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F>
  requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
           std::is_invocable_r_v<R, F&, Args...>) FunctionRef(F&& f)
  noexcept  // NOLINT(google-explicit-constructor): implicit by design
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace kolosal
